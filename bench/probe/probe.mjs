// bench/probe/probe.mjs: replays the five attacks of issue 10 against a real
// host and measures what they cost everyone else.
//
//   node bench/probe/probe.mjs [--build-dir build] [--only 1,4]
//   env: PROBE_NPROC (64), PROBE_THREAD_CHANNELS (500), PROBE_FLOOD_MS (5000),
//        PROBE_KEEP_LOG=1 (host log tail in every JSON line),
//        PROBE_LOG_DIR=dir (each host's whole log written there)
//
// Each attack gets its own host (build/host/runnel) in its own temp dir, with
// http_port = 0 (the port is read from the "listening on http://" line), a
// provisioned TestData data source and the built plugins. A control client
// subscribes to 1/ds/testdata/random-20Hz-stream (20 publications/s) and
// measures its rate and latency (receive time - the frame's Time value) for
// a 5 s baseline and then while the attack runs; the host and its plugin
// children are sampled from /proc (threads, RSS) every 200 ms.
//
// Prints one JSON line per attack on stdout, then a table; progress on
// stderr. Exits 1 if in any attack the control client was disconnected or
// its rate fell below 15/s (or a host could not be started). Everything
// started here is killed when the process exits.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The ws package comes from the ws peer's node_modules (as bench/streams).
const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(here, '../..');
const WebSocket = createRequire(join(here, '../peers/ws/package.json'))('ws');

const CONTROL_CHANNEL = '1/ds/testdata/random-20Hz-stream';
const BASELINE_MS = 5000;
const MIN_RATE = 15; // publications/s the control client must keep
const SAMPLE_MS = 200;

const log = (...parts) => console.error('[probe]', ...parts);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const args = { buildDir: join(REPO_ROOT, 'build'), only: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--build-dir') args.buildDir = resolve(value);
    else if (key === '--only') args.only = value.split(',').map(Number);
    else throw new Error(`unknown argument ${key}`);
  }
  return args;
}

// ------------------------------------------------- cleanup on any exit ---
const started = new Set(); // pids (hosts and every child seen) to kill on exit
const tempDirs = new Set();
process.on('exit', () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

// ------------------------------------------------------------- /proc ---
function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number((text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
    return { threads: field('Threads'), rssKb: field('VmRSS') };
  } catch {
    return null; // gone
  }
}

// A child may have been forked by any of the host's threads, and each
// thread lists its own children.
function childPids(pid) {
  const children = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/)) if (child) children.push(Number(child));
    }
  } catch {
    // the host is gone
  }
  return children;
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

const alive = (pid) => existsSync(`/proc/${pid}`) && procStatus(pid) !== null;

// Samples the host and its children every SAMPLE_MS; peak() gives the
// largest values seen since the last reset(). The "plugin" is the testdata
// plugin child; other children are only counted.
class Sampler {
  constructor(host) {
    this.host = host;
    this.reset();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.sample();
  }

  reset() {
    this.max = { host_rss_kb: 0, host_threads: 0, plugin_rss_kb: 0, plugin_threads: 0, children: 0 };
  }

  sample() {
    const pid = this.host.pid;
    const host = procStatus(pid);
    if (!host) return null;
    const children = childPids(pid);
    let plugin = null;
    for (const child of children) {
      started.add(child);
      if (!plugin && cmdline(child).includes('gpx_testdata')) plugin = procStatus(child);
    }
    const now = {
      host_rss_kb: host.rssKb,
      host_threads: host.threads,
      plugin_rss_kb: plugin?.rssKb ?? 0,
      plugin_threads: plugin?.threads ?? 0,
      children: children.length,
    };
    for (const key of Object.keys(this.max)) this.max[key] = Math.max(this.max[key], now[key]);
    this.last = now;
    return now;
  }

  peak() {
    this.sample();
    return { ...this.max };
  }

  stop() {
    clearInterval(this.timer);
  }
}

// --------------------------------------------------------------- host ---
const TESTDATA_DATASOURCE = `apiVersion: 1
datasources:
  - name: TestData
    type: testdata
    uid: testdata
    isDefault: true
    jsonData: {}
`;

// One real host in its own temp dir. `wrap` puts commands before the binary
// (e.g. prlimit); `pluginsDir` replaces <build>/plugins.
class Host {
  constructor({ buildDir, name, extraConfig = '', pluginsDir, wrap = [], owner }) {
    this.binary = join(buildDir, 'host', 'runnel');
    this.dir = mkdtempSync(join(tmpdir(), `runnel-probe-${name}-`));
    tempDirs.add(this.dir);
    this.wrap = wrap;
    this.lines = [];
    const provisioning = join(this.dir, 'provisioning');
    mkdirSync(join(provisioning, 'datasources'), { recursive: true });
    writeFileSync(join(provisioning, 'datasources', 'testdata.yaml'), TESTDATA_DATASOURCE);
    this.configFile = join(this.dir, 'runnel.ini');
    writeFileSync(
      this.configFile,
      [
        '[server]',
        'http_addr = 127.0.0.1',
        'http_port = 0',
        '',
        '[paths]',
        `plugins = ${pluginsDir || join(buildDir, 'plugins')}`,
        `provisioning = ${provisioning}`,
        '',
        '[log]',
        'level = info',
        '',
        extraConfig,
        '',
      ].join('\n'),
    );
    if (owner) {
      // The host runs as another user: let it read its config.
      for (const path of [this.dir, provisioning, join(provisioning, 'datasources')]) chmodSync(path, 0o755);
    }
  }

  // Spawns the host; resolves once /api/live/list answers. Records the
  // time from spawn to the "listening" line and to the first HTTP answer.
  async start(timeoutMs = 30_000) {
    if (!existsSync(this.binary)) throw new Error(`host binary not found: ${this.binary}`);
    const argv = [...this.wrap, this.binary, '--homepath', REPO_ROOT, '--config', this.configFile];
    this.spawnedAt = performance.now();
    this.child = spawn(argv[0], argv.slice(1), { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    started.add(this.pid);
    this.exited = new Promise((r) =>
      this.child.on('exit', (code, signal) => {
        this.exitedAt = performance.now();
        r({ code, signal });
      }),
    );
    let portFound;
    const portPromise = new Promise((r) => (portFound = r));
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        this.lines.push({ at: performance.now(), line });
        const m = line.match(/listening on http:\/\/[^:]+:(\d+)/);
        if (m && !this.port) {
          this.port = Number(m[1]);
          this.listeningMs = performance.now() - this.spawnedAt;
          portFound();
        }
      }
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    const exitedEarly = this.exited.then((e) => {
      throw new Error(`host exited during start-up (${JSON.stringify(e)}):\n${this.tail()}`);
    });
    const timeout = sleep(timeoutMs).then(() => {
      throw new Error(`host did not start within ${timeoutMs} ms:\n${this.tail()}`);
    });
    const answered = (async () => {
      await portPromise;
      this.url = `http://127.0.0.1:${this.port}`;
      this.wsUrl = `ws://127.0.0.1:${this.port}/api/live/ws`;
      for (;;) {
        try {
          if ((await fetch(`${this.url}/api/live/list`)).ok) break;
        } catch {
          // not answering yet
        }
        await sleep(10);
      }
      this.httpMs = performance.now() - this.spawnedAt;
    })();
    await Promise.race([answered, exitedEarly, timeout]);
    exitedEarly.catch(() => {});
    timeout.catch(() => {});
    return this;
  }

  async answersHttp() {
    try {
      return (await fetch(`${this.url}/api/live/list`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  isRunning() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  // SIGTERM, SIGKILL after 15 s. Returns the time to exit, how it ended and
  // which children it left behind.
  async stop() {
    const children = childPids(this.pid);
    if (!this.isRunning()) return { exit_ms: null, exit: 'already exited', leftover_children: [] };
    const sentAt = performance.now();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const how = await this.exited;
    clearTimeout(timer);
    await sleep(200);
    started.delete(this.pid);
    for (const pid of children) if (!alive(pid)) started.delete(pid);
    return {
      exit_ms: Math.round(this.exitedAt - sentAt),
      exit: how.signal ? `signal ${how.signal}` : `code ${how.code}`,
      leftover_children: children.filter(alive).map((pid) => `${pid} ${cmdline(pid)}`),
    };
  }

  // Log lines matching `re` since `sinceMs` (performance.now() time).
  grep(re, sinceMs = 0) {
    return this.lines.filter((l) => l.at >= sinceMs && re.test(l.line));
  }

  tail(n = 30) {
    return this.lines.slice(-n).map((l) => l.line).join('\n');
  }

  cleanup() {
    if (process.env.PROBE_LOG_DIR) {
      mkdirSync(process.env.PROBE_LOG_DIR, { recursive: true });
      const name = this.dir.split('/').pop();
      writeFileSync(join(process.env.PROBE_LOG_DIR, `${name}.log`), this.lines.map((l) => l.line).join('\n'));
    }
    rmSync(this.dir, { recursive: true, force: true });
    tempDirs.delete(this.dir);
  }
}

// ----------------------------------------------------- Centrifuge client ---
// One WebSocket connection speaking Centrifuge protocol v2 JSON: connect,
// subscribe, answer server pings, hand each publication to onPub. Command
// replies resolve to the reply (errors included, not thrown).
class Connection {
  constructor(url, onPub = () => {}) {
    this.url = url;
    this.onPub = onPub;
    this.nextId = 1;
    this.waiting = new Map(); // command id -> resolve
    this.closeCode = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws.on('open', () =>
        this.command({ connect: {} }).then((r) => (r.error ? reject(new Error(JSON.stringify(r))) : resolve(r))),
      );
      this.ws.on('error', reject);
      this.ws.on('close', (code) => {
        this.closeCode = code;
        this.closedAt = performance.now();
        for (const w of this.waiting.values()) w({ error: { code: `closed ${code}` } });
        this.waiting.clear();
        if (!this.closing) log(`connection closed by the server: ${code}`);
      });
      this.ws.on('message', (bytes) => this.onMessage(bytes.toString()));
    });
  }

  command(body) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.closeCode !== null) return resolve({ error: { code: `closed ${this.closeCode}` } });
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, ...body }));
    });
  }

  onMessage(text) {
    const received = performance.timeOrigin + performance.now(); // epoch ms, sub-ms
    for (const line of text.split('\n')) {
      if (line === '{}') {
        this.ws.send('{}');
        continue;
      }
      const msg = JSON.parse(line);
      if (msg.id) {
        const w = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        w?.(msg);
      } else if (msg.push?.pub) {
        this.onPub(msg.push.channel, msg.push.pub.data, received);
      }
    }
  }

  get disconnected() {
    return this.closeCode !== null && !this.closing;
  }

  close() {
    this.closing = true;
    this.ws?.terminate();
  }
}

// The control client: every publication's receive time (performance.now())
// and latency in ms (receive time - the frame's Time value, nanos included).
async function openControl(host) {
  const samples = [];
  const control = new Connection(host.wsUrl, (_channel, data, receivedMs) => {
    const timeMs = data?.data?.values?.[0]?.[0];
    const nanos = data?.data?.nanos?.[0]?.[0] ?? 0;
    if (typeof timeMs === 'number') samples.push({ at: performance.now(), latency: receivedMs - (timeMs + nanos / 1e6) });
  });
  await control.open();
  const reply = await control.command({ subscribe: { channel: CONTROL_CHANNEL } });
  if (reply.error) throw new Error(`control subscribe failed: ${JSON.stringify(reply.error)}`);
  const deadline = performance.now() + 15_000;
  while (samples.length === 0 && performance.now() < deadline) await sleep(20);
  if (samples.length === 0) throw new Error('control client got no publication within 15 s');
  control.samples = samples;
  return control;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Rate, latency percentiles and the worst publication (and when it came,
// in ms from the window's start) of the samples in [from, to).
function windowStats(samples, from, to) {
  const inside = samples.filter((s) => s.at >= from && s.at < to);
  const lat = inside.map((s) => s.latency).sort((a, b) => a - b);
  const worst = inside.reduce((w, s) => (!w || s.latency > w.latency ? s : w), null);
  const round = (x) => (x === null ? null : Math.round(x * 10) / 10);
  return {
    rate: round(lat.length / ((to - from) / 1000)),
    p50_ms: round(percentile(lat, 50)),
    p99_ms: round(percentile(lat, 99)),
    max_ms: round(worst?.latency ?? null),
    max_at_ms: worst ? Math.round(worst.at - from) : null,
  };
}

// ------------------------------------------------------------ harness ---
// Starts a host, opens the control client, measures a baseline, runs the
// attack (which resolves to what happened) for at least minAttackMs while
// measuring, stops the host (SIGTERM, timed). hostOptions() gives the
// Host's options (extra config, plugins dir, wrapper); skip() a reason not
// to run here, or null.
async function runAttack(ctx, { id, name, hostOptions, attack, minAttackMs = 5000, skip }) {
  const row = { attack: id, name };
  if (skip) {
    const reason = skip();
    if (reason) return { ...row, skipped: reason, outcome: `not reproducible here: ${reason}` };
  }
  log(`--- attack ${id}: ${name}`);
  const host = new Host({ buildDir: ctx.buildDir, name: `a${id}`, ...hostOptions() });
  let sampler;
  let control;
  try {
    await host.start();
    row.start_listening_ms = Math.round(host.listeningMs);
    row.start_http_ms = Math.round(host.httpMs);
    sampler = new Sampler(host);
    control = await openControl(host);

    const baseFrom = performance.now();
    sampler.reset();
    await sleep(BASELINE_MS);
    const baseTo = performance.now();
    row.baseline = { ...windowStats(control.samples, baseFrom, baseTo), ...sampler.peak() };

    sampler.reset();
    // This process's own event-loop delay: a latency the control client
    // sees only because the attacker (same process) held the loop.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const attackFrom = performance.now();
    const result = await attack({ host, sampler, control });
    const remaining = minAttackMs - (performance.now() - attackFrom);
    if (remaining > 0) await sleep(remaining);
    const attackTo = performance.now();
    loopDelay.disable();
    row.probe_loop_delay_p99_ms = Math.round(loopDelay.percentile(99) / 1e5) / 10;
    const during = windowStats(control.samples, attackFrom, attackTo);
    row.attack_ms = Math.round(attackTo - attackFrom);
    row.control = { ...during, disconnected: control.disconnected, close_code: control.disconnected ? control.closeCode : null };
    row.peak = sampler.peak();
    row.result = result;
    row.host_warnings = warningsByMessage(host.grep(/"@level":"(warn|error)"/, attackFrom));
    row.host_alive = host.isRunning() && (await host.answersHttp());
    row.outcome = result.summary;
  } catch (err) {
    row.error = String(err.stack || err);
    row.outcome = `ERROR: ${String(err.message || err).split('\n')[0]}`;
  } finally {
    control?.close();
    const stop = await host.stop();
    sampler?.stop();
    Object.assign(row, stop);
    if (row.error || process.env.PROBE_KEEP_LOG) row.host_log_tail = host.tail(20);
    host.cleanup();
  }
  row.failed = Boolean(
    row.error || row.control?.disconnected || (row.control && row.control.rate < MIN_RATE),
  );
  return row;
}

// ------------------------------------------------------------ attacks ---

// 1. A connect whose data is nested a million deep (the host once recursed
// once per level and overflowed its stack).
const deepNesting = {
  id: 1,
  name: 'deep nesting (1e6-deep connect data)',
  hostOptions: () => ({ extraConfig: '[live]\nmessage_size_limit = 8388608' }),
  attack: async ({ host }) => {
    const depth = 1_000_000;
    const message = `{"id":1,"connect":{"data":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const ws = new WebSocket(host.wsUrl, { perMessageDeflate: false });
    const got = { replies: [], close_code: null, close_reason: null };
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const sentAt = performance.now();
    const closed = new Promise((r) =>
      ws.on('close', (code, reason) => {
        got.close_code = code;
        got.close_reason = reason.toString();
        got.closed_after_ms = Math.round(performance.now() - sentAt);
        r();
      }),
    );
    ws.on('message', (bytes) => {
      const text = bytes.toString();
      got.first ??= text.split('\n')[0];
      got.replies.push(text.length > 200 ? `${text.slice(0, 200)}... (${text.length} bytes)` : text);
      got.reply_after_ms ??= Math.round(performance.now() - sentAt);
    });
    ws.send(message);
    await Promise.race([closed, sleep(5000)]);
    const alive = host.isRunning() && (await host.answersHttp());
    ws.terminate();
    const reply = got.first ? JSON.parse(got.first) : null;
    delete got.first;
    const what = reply?.error
      ? `reply error ${reply.error.code}`
      : reply?.connect
        ? 'connect OK'
        : got.replies.length
          ? 'reply'
          : 'no reply';
    return {
      message_bytes: message.length,
      ...got,
      host_alive_after: alive,
      summary:
        `${(message.length / 1e6).toFixed(1)} MB msg: ${what}` +
        (got.reply_after_ms !== undefined ? ` in ${got.reply_after_ms} ms` : '') +
        (got.close_code !== null ? `, closed ${got.close_code}` : ', not closed in 5 s') +
        `; host ${alive ? 'alive' : 'DEAD'}`,
    };
  },
};

// 2. Many streams on one connection under a low thread limit. Root ignores
// RLIMIT_NPROC, so the host runs as `nobody` (setpriv) under prlimit
// --nproc; the plugin inherits the user and the limit. The per-connection
// start limit is switched off so that every subscribe really starts a
// RunStream (as in the original probe, before that limit existed).
const NPROC_LIMIT = Number(process.env.PROBE_NPROC || 64);
const THREAD_CHANNELS = Number(process.env.PROBE_THREAD_CHANNELS || 500);
const threadExhaustion = {
  id: 2,
  name: `thread exhaustion (nproc ${NPROC_LIMIT}, ${THREAD_CHANNELS} streams)`,
  skip: () => {
    if (process.getuid() !== 0) {
      return 'not root: cannot run the host as another user (RLIMIT_NPROC would count this user\'s own processes)';
    }
    try {
      execFileSync('setpriv', ['--version']);
      execFileSync('prlimit', ['--version']);
    } catch {
      return 'setpriv or prlimit missing';
    }
    let busy = '';
    try {
      busy = execFileSync('ps', ['-L', '-u', 'nobody', '--no-headers'], { encoding: 'utf8' }).trim();
    } catch {
      // ps exits 1 when the user runs nothing
    }
    if (busy) return `user nobody already runs ${busy.split('\n').length} threads (the limit counts them)`;
    return null;
  },
  hostOptions: () => ({
    owner: 'nobody',
    wrap: [
      'prlimit', `--nproc=${NPROC_LIMIT}:${NPROC_LIMIT}`, '--',
      'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--',
    ],
    extraConfig: '[stream]\nmax_starts_per_second = 0',
  }),
  attack: async ({ host, sampler }) => {
    const before = sampler.sample();
    // Show that the limit and the user really apply to the host.
    const limits = readFileSync(`/proc/${host.pid}/limits`, 'utf8').match(/^Max processes.*$/m)?.[0];
    const uid = readFileSync(`/proc/${host.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
    const conn = new Connection(host.wsUrl);
    await conn.open();
    const sentAt = performance.now();
    const replies = await Promise.all(
      Array.from({ length: THREAD_CHANNELS }, (_, i) =>
        conn.command({ subscribe: { channel: `${CONTROL_CHANNEL}-${i + 1}` } }),
      ),
    );
    const answeredMs = Math.round(performance.now() - sentAt);
    const codes = countCodes(replies);
    await sleep(3000); // let the streams run
    const refusedThreads = host.grep(/Resource temporarily unavailable|thread|EAGAIN|terminate/i, sentAt);
    conn.close();
    return {
      nproc_limit: NPROC_LIMIT,
      host_uid: Number(uid),
      host_limits: limits?.replace(/\s+/g, ' '),
      threads_before: before && before.host_threads + before.plugin_threads,
      subscribes: THREAD_CHANNELS,
      answered: replies.length,
      all_answered_ms: answeredMs,
      replies_by_code: codes,
      log_lines_about_threads: refusedThreads.slice(0, 5).map((l) => l.line),
      summary:
        `uid ${uid}, nproc ${NPROC_LIMIT}: ${replies.length}/${THREAD_CHANNELS} answered in ${answeredMs} ms: ` +
        `${formatCodes(codes)}${codes['106'] ? ' (106 = 128 channels per connection)' : ''}`,
    };
  },
};

// 3. A plugin whose executable never prints its handshake, next to testdata.
// The host once waited for every plugin before listening, and SIGTERM waited
// for the handshake time-out.
const brokenPlugin = {
  id: 3,
  name: 'broken plugin start (no handshake)',
  hostOptions: () => {
    const plugins = mkdtempSync(join(tmpdir(), 'runnel-probe-plugins-'));
    tempDirs.add(plugins);
    symlinkSync(join(brokenPlugin.buildDir, 'plugins', 'testdata'), join(plugins, 'testdata'));
    const broken = join(plugins, 'broken');
    mkdirSync(broken);
    const json = JSON.parse(readFileSync(join(brokenPlugin.buildDir, 'plugins', 'testdata', 'plugin.json'), 'utf8'));
    json.id = 'probe-broken-datasource';
    json.name = 'Probe broken plugin';
    json.aliasIDs = [];
    json.executable = 'gpx_broken';
    writeFileSync(join(broken, 'plugin.json'), JSON.stringify(json, null, 2));
    const exe = join(broken, 'gpx_broken_linux_amd64');
    writeFileSync(exe, '#!/bin/sh\nexec sleep 1000\n');
    chmodSync(exe, 0o755);
    return { pluginsDir: plugins };
  },
  attack: async ({ host, sampler }) => {
    const running = host.grep(/plugin running/);
    const testdataUp = running.find((l) => l.line.includes('runnel-testdata-datasource'));
    const brokenUp = running.find((l) => l.line.includes('probe-broken-datasource'));
    const children = childPids(host.pid).map((pid) => cmdline(pid));
    sampler.sample();
    return {
      start_http_ms: Math.round(host.httpMs),
      testdata_running_ms: testdataUp ? Math.round(testdataUp.at - host.spawnedAt) : null,
      broken_running: Boolean(brokenUp),
      children,
      summary: `HTTP answered ${Math.round(host.httpMs)} ms after spawn; testdata running at ${
        testdataUp ? Math.round(testdataUp.at - host.spawnedAt) : '?'
      } ms; broken plugin ${brokenUp ? 'running?!' : 'still starting'}`,
    };
  },
};

// 4. A client that connects, then sends empty pings as fast as it can and
// never reads (the host once queued pongs without bound).
function maskedFrame(opcode, payload = Buffer.alloc(0)) {
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : len <= 0xffff
        ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : (() => {
            const b = Buffer.alloc(10);
            b[0] = 0x80 | opcode;
            b[1] = 0x80 | 127;
            b.writeBigUInt64BE(BigInt(len), 2);
            return b;
          })();
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ key[i % 4];
  return Buffer.concat([head, key, body]);
}

const pingFlood = {
  id: 4,
  name: 'ping flood, never reading',
  attack: async ({ host, sampler }) => {
    const FLOOD_MS = Number(process.env.PROBE_FLOOD_MS || 5000);
    const rssBefore = sampler.sample()?.host_rss_kb;
    const socket = tcpConnect({ host: '127.0.0.1', port: host.port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(
      `GET /api/live/ws HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\n` +
        'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    // Read the 101 and the connect reply, then never read again.
    let received = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 101: ${received}`)), 5000);
      const onData = (chunk) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n\r\n')) {
          clearTimeout(timer);
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    const status = received.split('\r\n')[0];
    socket.write(maskedFrame(0x1, Buffer.from('{"id":1,"connect":{}}')));
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      socket.once('data', (chunk) => {
        received = chunk.toString('latin1');
        clearTimeout(timer);
        resolve();
      });
    });
    const connected = received.includes('"connect"');
    socket.pause();

    const BATCH = 10_000; // pings per write (60 kB)
    const batch = Buffer.concat(Array.from({ length: BATCH }, () => maskedFrame(0x9)));
    const floodFrom = performance.now();
    let pings = 0;
    let ended = null; // how the host ended the socket, and when
    let destroying = false;
    const end = (how) => {
      if (!destroying) ended ??= { how, after_ms: Math.round(performance.now() - floodFrom) };
    };
    socket.on('error', (err) => end(`error ${err.code}`));
    socket.on('close', () => end('closed'));
    socket.on('end', () => end('end'));
    while (!ended && performance.now() - floodFrom < FLOOD_MS) {
      const ok = socket.write(batch);
      pings += BATCH;
      if (!ok) {
        // The kernel buffers are full: wait for room (or the end of the flood).
        await Promise.race([
          new Promise((r) => socket.once('drain', r)),
          sleep(Math.max(0, FLOOD_MS - (performance.now() - floodFrom))),
        ]);
      } else {
        await new Promise((r) => setImmediate(r)); // the control client's turn
      }
    }
    const floodMs = Math.round(performance.now() - floodFrom);
    // Where the pongs are: the host side of the connection, as ss shows it
    // (Recv-Q: pings the host has not read; Send-Q: pongs it could not send).
    const hostSide = () => {
      try {
        return execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${host.port} )`], {
          encoding: 'utf8',
        })
          .split('\n')
          .find((l) => l.includes(`:${socket.localPort}`))
          ?.replace(/\s+/g, ' ')
          .trim();
      } catch {
        return undefined; // no ss
      }
    };
    const queues = hostSide();
    // Still never reading: when does the host drop the TCP connection?
    let droppedAfterMs = null;
    if (queues !== undefined) {
      const until = performance.now() + 10_000;
      while (performance.now() < until) {
        if (!hostSide()) {
          droppedAfterMs = Math.round(performance.now() - floodFrom);
          break;
        }
        await sleep(100);
      }
    }
    const rssPeakDuring = sampler.peak().host_rss_kb;
    const slow = host.grep(/closing with 3008/, floodFrom)[0];
    destroying = true;
    socket.destroy();
    await sleep(1000);
    const rssAfter = sampler.sample()?.host_rss_kb;
    const slowAfter = slow ? Math.round(slow.at - floodFrom) : null;
    const queued = slow?.line.match(/"queued_bytes":"(\d+)"/)?.[1];
    return {
      upgrade: status,
      connected,
      pings_written: pings,
      flood_ms: floodMs,
      socket_end: ended,
      host_socket_at_flood_end: queues ?? null,
      host_dropped_tcp_after_ms: droppedAfterMs,
      host_3008_after_ms: slowAfter,
      host_3008_line: slow?.line ?? null,
      host_rss_kb: { before: rssBefore, peak: rssPeakDuring, after: rssAfter },
      summary:
        (slow ? `closed 3008 after ${slowAfter} ms (queued ${queued} B)` : 'no 3008 in the host log') +
        `; ${(pings / 1e6).toFixed(1)}M pings written; TCP ${
          ended ? `${ended.how} at ${ended.after_ms} ms` : droppedAfterMs !== null ? `dropped at ${droppedAfterMs} ms` : 'still open'
        }` +
        `; host RSS ${mb(rssBefore)}->${mb(rssPeakDuring)}->${mb(rssAfter)} MB`,
    };
  },
};

// 5. Subscribe and unsubscribe random-20Hz-stream-N, N rising, as fast as
// the replies come (the host once started a thread per stream and never
// bounded the starts).
const streamChurn = {
  id: 5,
  name: 'stream churn (sub/unsub N rising)',
  attack: async ({ host }) => {
    const CHURN_MS = 5000;
    const conn = new Connection(host.wsUrl);
    await conn.open();
    const from = performance.now();
    const subscribes = [];
    const unsubscribes = [];
    let n = 0;
    while (performance.now() - from < CHURN_MS && conn.closeCode === null) {
      const channel = `${CONTROL_CHANNEL}-${++n}`;
      const reply = await conn.command({ subscribe: { channel } });
      subscribes.push(reply);
      if (!reply.error) unsubscribes.push(await conn.command({ unsubscribe: { channel } }));
    }
    const churnMs = Math.round(performance.now() - from);
    const closed = conn.closeCode;
    conn.close();
    const subCodes = countCodes(subscribes);
    return {
      churn_ms: churnMs,
      subscribes: subscribes.length,
      subscribe_replies_by_code: subCodes,
      unsubscribe_replies_by_code: countCodes(unsubscribes),
      attacker_closed: closed,
      summary: `${subscribes.length} subs in ${churnMs} ms: ${formatCodes(subCodes)}; ${unsubscribes.length} unsubs`,
    };
  },
};

// ------------------------------------------------------------- output ---
// The host's warn/error log lines, counted by message (with one example).
function warningsByMessage(lines) {
  const out = {};
  for (const { line } of lines) {
    let message = line;
    try {
      message = JSON.parse(line)['@message'];
    } catch {
      // not JSON
    }
    out[message] ??= { count: 0, example: line.length > 400 ? `${line.slice(0, 400)}...` : line };
    out[message].count++;
  }
  return out;
}

function countCodes(replies) {
  const codes = {};
  for (const r of replies) {
    const code = r.error ? String(r.error.code) : 'ok';
    codes[code] = (codes[code] || 0) + 1;
  }
  return codes;
}

const formatCodes = (codes) =>
  Object.entries(codes)
    .map(([code, count]) => `${count}x ${code}`)
    .join(', ');

const mb = (kb) => (kb === undefined || kb === null ? '?' : (kb / 1024).toFixed(1));

function table(rows) {
  const header = [
    'attack', 'outcome', 'base rate/p99', 'attack rate/p99', 'ctl disc', 'host RSS MB/thr peak',
    'plugin RSS MB/thr peak', 'SIGTERM exit', 'pass',
  ];
  const body = rows.map((r) => [
    `${r.attack} ${r.name}`,
    r.outcome,
    r.baseline ? `${r.baseline.rate}/s ${r.baseline.p99_ms} ms` : '-',
    r.control ? `${r.control.rate}/s ${r.control.p99_ms} ms` : '-',
    r.control ? (r.control.disconnected ? `YES ${r.control.close_code}` : 'no') : '-',
    r.peak ? `${mb(r.peak.host_rss_kb)} / ${r.peak.host_threads}` : '-',
    r.peak ? `${mb(r.peak.plugin_rss_kb)} / ${r.peak.plugin_threads}` : '-',
    r.exit_ms !== undefined && r.exit_ms !== null
      ? `${r.exit_ms} ms (${r.exit})${r.leftover_children?.length ? ` LEFT ${r.leftover_children.length}` : ''}`
      : '-',
    r.skipped ? 'skip' : r.failed ? 'FAIL' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

// --------------------------------------------------------------- main ---
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ctx = { buildDir: args.buildDir };
  brokenPlugin.buildDir = args.buildDir;
  const attacks = [deepNesting, threadExhaustion, brokenPlugin, pingFlood, streamChurn].filter(
    (a) => !args.only || args.only.includes(a.id),
  );
  const rows = [];
  for (const attack of attacks) {
    const row = await runAttack(ctx, { hostOptions: () => ({}), ...attack });
    console.log(JSON.stringify(row));
    log(`attack ${row.attack}: ${row.outcome}`);
    rows.push(row);
  }
  console.log(`\n${table(rows)}`);
  const failed = rows.filter((r) => r.failed);
  if (failed.length) log(`FAILED: attacks ${failed.map((r) => r.attack).join(', ')}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  log(err.stack || String(err));
  process.exit(1);
});
