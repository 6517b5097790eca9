// bench/streams/streams.mjs: what many concurrent RunStreams cost.
//
//   node bench/streams/streams.mjs --url ws://127.0.0.1:PORT/api/live/ws \
//     --host-pid PID --counts 1,100,1000,10000 [--duration 10]
//     [--per-connection 100] [--label runnel]
//
// For each count N (ascending, cumulative), Centrifuge v2 JSON clients
// subscribe to N distinct channels 1/plugin/testdata/bench/1hz-<i> (one
// RunStream each, 1 frame/s), at most --per-connection per connection, and
// wait until every channel has delivered a publication (so every stream is
// really running). Then, over --duration seconds, a control connection on
// 1/plugin/testdata/bench/20hz measures latency (receive time - the plugin's
// sent_ns), and the host and its plugin child are sampled: threads and RSS
// (/proc/<pid>/status) and CPU seconds (/proc/<pid>/stat).
// Prints one JSON line per N on stdout; progress on stderr. Exit 1 when a
// count could not be reached.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The ws package comes from the ws peer's node_modules (bench/run.sh runs
// `npm ci` there), so the benchmarks have one lock file for it.
const here = dirname(fileURLToPath(import.meta.url));
const WebSocket = createRequire(join(here, '../peers/ws/package.json'))('ws');

function parseArgs(argv) {
  const args = { duration: 10, perConnection: 100, label: 'runnel', counts: [1, 100, 1000, 10000] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--url') args.url = value;
    else if (key === '--host-pid') args.hostPid = Number(value);
    else if (key === '--counts') args.counts = value.split(',').map(Number);
    else if (key === '--duration') args.duration = Number(value);
    else if (key === '--per-connection') args.perConnection = Number(value);
    else if (key === '--label') args.label = value;
    else throw new Error(`unknown argument ${key}`);
  }
  if (!args.url || !args.hostPid) throw new Error('--url and --host-pid are required');
  return args;
}

const SETTLE_TIMEOUT_MS = 180_000;
const log = (...parts) => console.error('[streams]', ...parts);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------- /proc ---
function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number((text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
  return { threads: field('Threads'), rssKb: field('VmRSS') };
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ
}

// A child may have been forked by any of the host's threads, and each
// thread lists its own children.
function childPids(pid) {
  const children = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of text.split(/\s+/)) if (child) children.push(Number(child));
  }
  return children;
}

// ----------------------------------------------------- Centrifuge client ---
// One WebSocket connection speaking Centrifuge protocol v2 JSON: connect,
// subscribe, answer server pings, and hand each publication to onPub.
class Connection {
  constructor(url, onPub) {
    this.url = url;
    this.onPub = onPub;
    this.nextId = 1;
    this.waiting = new Map(); // command id -> {resolve, reject}
  }

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws.on('open', () => this.command({ connect: {} }).then(resolve, reject));
      this.ws.on('error', reject);
      this.ws.on('close', (code) => {
        for (const w of this.waiting.values()) w.reject(new Error(`closed ${code}`));
        this.waiting.clear();
        if (!this.closing) log(`connection closed by the server: ${code}`);
      });
      this.ws.on('message', (bytes) => this.onMessage(bytes.toString()));
    });
  }

  command(body) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, ...body }));
    });
  }

  onMessage(text) {
    const received = Date.now();
    for (const line of text.split('\n')) {
      if (line === '{}') {
        this.ws.send('{}');
        continue;
      }
      const msg = JSON.parse(line);
      if (msg.id) {
        const w = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        if (msg.error) w?.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
        else w?.resolve(msg);
      } else if (msg.push?.pub) {
        this.onPub(msg.push.channel, msg.push.pub.data, received);
      }
    }
  }

  close() {
    this.closing = true;
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------- run ---
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const seen = new Set(); // channels that delivered at least one publication
  const connections = [];
  let latencies = [];
  let measuring = false;

  const control = new Connection(args.url, (_channel, data, receivedMs) => {
    const sentNs = data?.data?.values?.[2]?.[0];
    if (measuring && typeof sentNs === 'number') latencies.push(receivedMs - sentNs / 1e6);
  });
  await control.open();
  await control.command({ subscribe: { channel: '1/plugin/testdata/bench/20hz' } });

  const onPub = (channel) => seen.add(channel);
  let subscribed = 0;
  let failed = false;
  for (const count of args.counts) {
    const started = Date.now();
    while (subscribed < count) {
      let conn = connections[connections.length - 1];
      if (!conn || conn.subscriptions >= args.perConnection) {
        conn = new Connection(args.url, onPub);
        conn.subscriptions = 0;
        await conn.open();
        connections.push(conn);
      }
      const batch = [];
      while (subscribed < count && conn.subscriptions < args.perConnection) {
        const channel = `1/plugin/testdata/bench/1hz-${subscribed}`;
        batch.push(conn.command({ subscribe: { channel } }));
        conn.subscriptions++;
        subscribed++;
      }
      await Promise.all(batch);
    }
    while (seen.size < count && Date.now() - started < SETTLE_TIMEOUT_MS) await sleep(100);
    if (seen.size < count) {
      log(`only ${seen.size} of ${count} channels delivered within ${SETTLE_TIMEOUT_MS} ms`);
      failed = true;
      break;
    }
    const settleMs = Date.now() - started;
    const plugin = childPids(args.hostPid)[0];
    const pids = { host: args.hostPid, plugin };
    const cpuBefore = { host: cpuSeconds(pids.host), plugin: plugin ? cpuSeconds(plugin) : 0 };
    latencies = [];
    measuring = true;
    await sleep(args.duration * 1000);
    measuring = false;
    const hostStatus = procStatus(pids.host);
    const pluginStatus = plugin ? procStatus(plugin) : { threads: 0, rssKb: 0 };
    const sorted = latencies.sort((a, b) => a - b);
    const row = {
      label: `${args.label}|streams-${count}`,
      streams: count,
      connections: connections.length,
      settle_ms: settleMs,
      host_threads: hostStatus.threads,
      plugin_threads: pluginStatus.threads,
      host_rss_kb: hostStatus.rssKb,
      plugin_rss_kb: pluginStatus.rssKb,
      rss_total_kb: hostStatus.rssKb + pluginStatus.rssKb,
      host_cpu_pct: (100 * (cpuSeconds(pids.host) - cpuBefore.host)) / args.duration,
      plugin_cpu_pct: plugin ? (100 * (cpuSeconds(plugin) - cpuBefore.plugin)) / args.duration : 0,
      control_msgs_per_s: sorted.length / args.duration,
      control_p50_ms: percentile(sorted, 50),
      control_p99_ms: percentile(sorted, 99),
    };
    console.log(JSON.stringify(row));
    log(
      `${count} streams: threads host ${row.host_threads} plugin ${row.plugin_threads}, ` +
        `RSS ${Math.round(row.rss_total_kb / 1024)} MB, control p99 ${row.control_p99_ms?.toFixed(1)} ms`,
    );
  }
  control.close();
  for (const conn of connections) conn.close();
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  log(err.stack || String(err));
  process.exit(1);
});
