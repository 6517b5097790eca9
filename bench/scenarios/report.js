// Prints the benchmark table (one row per figure, one column per server,
// then the ratios Runnel/peer) from the JSON lines bench/run.sh collected.
// With --check it exits 1 when any expected figure is missing or not a
// finite number (the smoke run's guard against rot); it never judges timing.
//
// Usage: node report.js RESULTS.jsonl --servers runnel,centrifuge,ws
//          --fanout 1000x20,1000x200 --idle 10000 --capacity 100000
//          [--runstream] [--streams 1,100,1000,10000] [--push 100x1000]
//          [--push-placements pinned,shared]
//          [--push-servers runnel,centrifuge] [--cluster-fanout 1000x100]
//          [--cluster-scale 100000x6] [--cluster-servers runnel,centrifuge]
//          [--check]
'use strict';

const fs = require('fs');

function parseArgs(argv) {
  const args = { file: argv[2], servers: [], fanout: [], idle: [],
                 capacity: [], streams: [], push: [],
                 'push-placements': ['pinned', 'shared'],
                 'push-servers': ['runnel', 'centrifuge'],
                 'cluster-fanout': [], 'cluster-scale': [],
                 'cluster-servers': ['runnel', 'centrifuge'], runstream: false,
                 check: false };
  for (let i = 3; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--check') args.check = true;
    else if (flag === '--runstream') args.runstream = true;
    else if (['--servers', '--fanout', '--idle', '--capacity', '--streams',
              '--push', '--push-placements', '--push-servers',
              '--cluster-fanout',
              '--cluster-scale', '--cluster-servers'].includes(flag)) {
      args[flag.slice(2)] = (argv[++i] || '').split(',').filter(Boolean);
    } else {
      console.error(`report.js: unknown argument ${flag}`);
      process.exit(2);
    }
  }
  return args;
}

const args = parseArgs(process.argv);
const results = new Map(); // label -> parsed JSON
for (const line of fs.readFileSync(args.file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  try {
    const value = JSON.parse(line);
    if (!value.label) continue;
    const fanout = /\|fanout-\d+x(\d+)$/.exec(value.label);
    if (fanout && value.subscribed_end > 0) {
      value.delivered_percent = 100 * value.messages_per_s /
        (value.subscribed_end * Number(fanout[1]));
    }
    if (value.server_rss_end_kb !== undefined) {
      value.server_rss_end_mb = value.server_rss_end_kb / 1024;
    }
    if (value.machine_cores_busy !== undefined &&
        value.loadgen_cores !== undefined) {
      // What the server and the load generator left of the machine's busy
      // time: other tenants (or the kernel's softirq threads).
      value.other_cores = Math.max(0, value.machine_cores_busy -
        (value.server_cores || 0) - value.loadgen_cores);
    }
    if (value.push_lines > 0 && value.loadgen_cpu_s !== undefined) {
      value.loadgen_cpu_s_per_million_lines =
        value.loadgen_cpu_s / value.push_lines * 1e6;
    }
    if (value.messages > 0 && value.message_bytes !== undefined) {
      value.message_kb = value.message_bytes / value.messages / 1024;
    }
    if (value.broker_cpu_s !== undefined && value.push_bodies > 0) {
      value.broker_cpu_ms_per_publication =
        value.broker_cpu_s / value.push_bodies * 1e3;
    }
    if (value.rss_total_kb !== undefined) {
      value.rss_total_mb = value.rss_total_kb / 1024;
    }
    results.set(value.label, value);
  } catch (err) {
    console.error(`report.js: skipping a bad line: ${line.slice(0, 80)}`);
  }
}

// Repeated runs (labels ending in #<run>) become one result under the
// label without it: the median of each number, a flag true only if true in
// every run, so that the table shows the typical run of a shared machine.
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const repeats = new Map(); // base label -> [result of each run]
for (const [label, value] of results) {
  const run = /^(.*)#\d+$/.exec(label);
  if (!run) continue;
  if (!repeats.has(run[1])) repeats.set(run[1], []);
  repeats.get(run[1]).push(value);
}
for (const [base, runs] of repeats) {
  const combined = { ...runs[0], label: base, runs: runs.length, combined: true };
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((r) => r[key]);
    if (values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      combined[key] = median(values);
    } else if (values.every((v) => typeof v === 'boolean')) {
      combined[key] = values.every(Boolean);
    }
  }
  results.set(base, combined);
}

const NAMES = { runnel: 'Runnel', centrifuge: 'Centrifuge', ws: 'Node ws' };
// Each row: [title, scenario label, key, servers it applies to, extra check].
const rows = [];
for (const spec of args.fanout) {
  const [subs, rate] = spec.split('x');
  const scenario = `fanout-${subs}x${rate}`;
  const title = `fan-out ${subs} subs x ${rate} msg/s`;
  const delivered = (r) => r.messages > 0 && r.latency_samples > 0;
  rows.push([`${title}: delivered msg/s`, scenario, 'messages_per_s', null,
             delivered]);
  rows.push([`${title}: delivered % of offered (subs held x rate)`,
             scenario, 'delivered_percent']);
  rows.push([`${title}: latency p50 ms`, scenario, 'latency_p50_ms']);
  rows.push([`${title}: latency p99 ms`, scenario, 'latency_p99_ms']);
  rows.push([`${title}: latency p999 ms`, scenario, 'latency_p999_ms']);
  rows.push([`${title}: server CPU s per 1M deliveries`, scenario,
             'server_cpu_s_per_million']);
}
for (const n of args.idle) {
  const scenario = `idle-${n}`;
  rows.push([`idle ${n} subscribed conns: connections held`, scenario,
             'subscribed_at_ready', null, (r) => r.subscribed_at_ready > 0]);
  rows.push([`idle ${n} subscribed conns: RSS KB per conn`, scenario,
             'server_rss_per_conn_kb']);
}
for (const n of args.capacity) {
  const scenario = `capacity-${n}`;
  rows.push([`capacity (trying ${n}): connections held`, scenario,
             'subscribed_at_ready', null, (r) => r.subscribed_at_ready > 0]);
  rows.push([`capacity (trying ${n}): connects/s`, scenario,
             'connects_per_s']);
}
if (args.runstream) {
  rows.push(['RunStream frames/s (tight SendFrame loop -> gRPC client)',
             'runstream-tight', 'frames_per_s', ['runnel']]);
  rows.push(['RunStream frames/s (testdata bench/100000hz -> gRPC client)',
             'runstream-testdata', 'frames_per_s', ['runnel']]);
}
// Push (Grafana Live's HTTP push): Runnel and the Centrifuge peer, which
// converts and publishes as Grafana does; the ws peer has no push. The
// pusher is paced by the slowest subscriber, so the headline is lines/s
// delivered to every subscriber. It counts only for a complete run: every
// accepted body's frame reached every subscriber and none was
// disconnected (push_delivery_complete); otherwise the figures of that run
// are marked '!' (and so is the ratio), not silently used.
// Pinned: the server on CPU 0, the load generator on CPU 1 (each server
// gets the same one core); shared: every process on every CPU.
const placementTitles = {
  pinned: 'server and load generator on one core each',
  shared: 'all sharing the cores',
};
for (const spec of args.push) {
  for (const placement of args['push-placements']) {
    pushRows(spec, placement);
  }
}
function pushRows(spec, placement) {
  const [subs, lines] = spec.split('x');
  const scenario = `push-${placement}-${spec}`;
  const title = `push ${lines}-line bodies to ${subs} subs ` +
    `(${placementTitles[placement]})`;
  const pushers = args['push-servers'];
  const pushed = (r) => r.push_bodies > 0 && r.push_warmup_status === 200 &&
    r.frames_delivered > 0 && r.latency_samples > 0 &&
    r.push_bodies_delivered_all > 0;
  const complete = (r) => r.push_delivery_complete === true;
  const why = (r) => `${r.frames_delivered_percent}% of frames delivered, ` +
    `${r.disconnects} disconnects, ${r.push_bodies_failed} bodies failed`;
  const push = (name, key, check) =>
    rows.push([`${title}: ${name}`, scenario, key, pushers, check,
               [complete, why]]);
  push('lines/s delivered to all subs', 'lines_per_s_delivered', pushed);
  push('frames delivered % (bodies x subs)', 'frames_delivered_percent');
  push('subscribers disconnected', 'disconnects');
  push('push-to-client latency p50 ms', 'latency_p50_ms');
  push('push-to-client latency p99 ms', 'latency_p99_ms');
  push('server CPU s per 1M lines', 'server_cpu_s_per_million_lines');
  push('server CPU cores busy', 'server_cores');
  push('server RSS MB at end', 'server_rss_end_mb');
  push('load-generator CPU s per 1M lines', 'loadgen_cpu_s_per_million_lines');
  push('load-generator CPU cores busy', 'loadgen_cores');
  push('other processes CPU cores busy (machine - server - load gen)',
       'other_cores');
  push('frame KB as received', 'message_kb');
}
// Clusters (issue 12): several hosts on one Redis, a publisher posting to
// the first host's /api/live/publish, subscribers spread over all hosts.
// The headline counts only if every subscriber got every publication and
// stayed (push_delivery_complete); otherwise it is marked '!'. Rows apply to
// Runnel and the Centrifuge peer; a server left out of --cluster-servers
// (Runnel before its Redis engine) is shown but not required.
const clusterComplete = [(r) => r.push_delivery_complete === true,
  (r) => `${r.frames_missing} deliveries missing of ` +
    `${r.frames_expected}, ${r.disconnects} disconnects, ` +
    `${r.push_bodies_failed} publications failed`];
const clusterServers = ['runnel', 'centrifuge'];
const published = (r) => r.push_bodies > 0 && r.push_warmup_status === 200 &&
  r.latency_samples > 0;
function clusterRow(title, scenario, key, check) {
  rows.push([title, scenario, key, clusterServers, check, clusterComplete,
             args['cluster-servers']]);
}
for (const spec of args['cluster-fanout']) {
  const subs = spec.slice(0, spec.indexOf('x'));
  const rate = spec.slice(spec.indexOf('x') + 1);
  const scenario = `cluster-fanout-${spec}`;
  const title = `cluster 2 hosts, ${subs} subs, ` +
    (rate === 'max' ? 'publish as fast as delivered' : `publish ${rate}/s`);
  clusterRow(`${title}: publications/s delivered to all subs`, scenario,
             'publications_per_s_delivered', published);
  clusterRow(`${title}: deliveries/s`, scenario, 'messages_per_s');
  clusterRow(`${title}: deliveries missing`, scenario, 'frames_missing');
  clusterRow(`${title}: publish-to-client latency p50 ms`, scenario,
             'latency_p50_ms');
  clusterRow(`${title}: publish-to-client latency p99 ms`, scenario,
             'latency_p99_ms');
  clusterRow(`${title}: servers CPU s per 1M deliveries`, scenario,
             'server_cpu_s_per_million');
  clusterRow(`${title}: Redis CPU ms per publication`, scenario,
             'broker_cpu_ms_per_publication');
  clusterRow(`${title}: Redis CPU cores busy`, scenario, 'broker_cores');
}
for (const spec of args['cluster-scale']) {
  const [conns, hosts] = spec.split('x');
  const scenario = `cluster-scale-${spec}`;
  const title = `cluster ${hosts} hosts, ${conns} conns`;
  clusterRow(`${title}: connections held`, scenario, 'subscribed_at_ready',
             (r) => r.subscribed_at_ready > 0);
  clusterRow(`${title}: broadcasts`, scenario, 'push_bodies', published);
  clusterRow(`${title}: deliveries missing`, scenario, 'frames_missing');
  clusterRow(`${title}: broadcast latency p50 ms`, scenario,
             'latency_p50_ms');
  clusterRow(`${title}: broadcast latency p99 ms`, scenario,
             'latency_p99_ms');
  clusterRow(`${title}: RSS KB per conn (all hosts)`, scenario,
             'server_rss_per_conn_kb');
  clusterRow(`${title}: servers CPU s per 1M deliveries`, scenario,
             'server_cpu_s_per_million');
  clusterRow(`${title}: Redis CPU s in the window`, scenario,
             'broker_cpu_s');
}
// Concurrent RunStreams (bench/streams): Runnel only, the peers have no
// plugins. Threads should not grow with the number of streams.
for (const n of args.streams) {
  const scenario = `streams-${n}`;
  const title = `${n} concurrent 1 Hz streams`;
  const runnelOnly = ['runnel'];
  rows.push([`${title}: host threads`, scenario, 'host_threads', runnelOnly]);
  rows.push([`${title}: plugin threads`, scenario, 'plugin_threads',
             runnelOnly]);
  rows.push([`${title}: host + plugin RSS MB`, scenario, 'rss_total_mb',
             runnelOnly]);
  rows.push([`${title}: host CPU %`, scenario, 'host_cpu_pct', runnelOnly]);
  rows.push([`${title}: plugin CPU %`, scenario, 'plugin_cpu_pct',
             runnelOnly]);
  rows.push([`${title}: 20 Hz control stream p99 ms`, scenario,
             'control_p99_ms', runnelOnly]);
}

function format(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) {
    return '-';
  }
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toString();
  const text = value.toPrecision(3);
  return text.includes('.') && !text.includes('e') ?
    text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const peers = args.servers.filter((s) => s !== 'runnel');
const header = ['figure', ...args.servers.map((s) => NAMES[s] || s)];
if (args.servers.includes('runnel')) {
  for (const peer of peers) header.push(`Runnel/${NAMES[peer] || peer}`);
}
const table = [header];
const missing = [];
const marked = new Map(); // label -> why its figures are marked
for (const [title, scenario, key, only, extraCheck, trust, required] of
     rows) {
  const row = [title];
  const values = {};
  const untrusted = {};
  for (const server of args.servers) {
    if (only && !only.includes(server)) {
      row.push('n/a');
      continue;
    }
    const result = results.get(`${server}|${scenario}`);
    const value = result ? Number(result[key]) : undefined;
    values[server] = value;
    untrusted[server] = Boolean(result && trust && !trust[0](result));
    if (untrusted[server]) marked.set(result.label, trust[1](result));
    row.push(format(value) + (untrusted[server] ? ' !' : ''));
    const isRequired = !required || required.includes(server);
    if (isRequired && (!result || !Number.isFinite(value) ||
                       (extraCheck && !extraCheck(result)))) {
      missing.push(`${server} ${scenario} ${key}`);
    }
  }
  if (args.servers.includes('runnel')) {
    for (const peer of peers) {
      const ratio = values.runnel / values[peer];
      const mark = untrusted.runnel || untrusted[peer] ? ' !' : '';
      row.push(only && !only.includes(peer) ? 'n/a' :
               Number.isFinite(ratio) ? format(ratio) + mark : '-');
    }
  }
  table.push(row);
}

const widths = header.map((_, c) =>
  Math.max(...table.map((row) => String(row[c]).length)));
for (const [index, row] of table.entries()) {
  console.log(row.map((cell, c) =>
    c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))
    .join('  '));
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}

if (marked.size > 0) {
  console.log('\n! not a complete run (the figure is not sustainable ' +
              'delivered throughput):');
  for (const [label, reason] of marked) console.log(`  ${label}: ${reason}`);
}

// Errors and disconnects per run, so a fast-but-lossy result shows.
console.log('\nper run: target conns, held, connect errors, protocol errors, ' +
            'disconnects, load-generator CPU s in the window (close codes)');
for (const [label, r] of results) {
  if (label.includes('|runstream') || label.includes('|streams-')) continue;
  if (r.combined) continue;  // its runs are listed one by one
  const codes = Object.entries(r.close_codes || {})
    .map(([code, count]) => `${code}:${count}`).join(' ');
  console.log(`  ${label.padEnd(34)} ${r.target_connections} ` +
              `${r.subscribed_at_ready} ${r.connect_errors} ` +
              `${r.protocol_errors} ${r.disconnects} ${r.loadgen_cpu_s}` +
              (codes ? ` (${codes})` : '') +
              (r.push_status_codes ? ` push: ${r.push_bodies} ok, ` +
                `${r.push_bodies_failed} failed, statuses ` +
                JSON.stringify(r.push_status_codes) +
                `, ${r.push_bodies_delivered_all} to every subscriber, ` +
                `window ${r.push_window_bodies} bodies (paced ` +
                `${r.push_paced_waits} times), accepted ` +
                `${format(r.lines_per_s_accepted)} lines/s, request p50 ` +
                `${format(r.push_request_p50_ms)} ms, drain ${r.drain_s} s`
                : ''));
}

if (args.check) {
  if (missing.length > 0) {
    console.error(`\nMISSING or non-numeric figures (${missing.length}):`);
    for (const m of missing) console.error(`  ${m}`);
    process.exit(1);
  }
  console.log('\nall figures present');
}
