// Node `ws` broadcast server: a peer for Runnel's benchmarks, written the way
// many users would write a broadcast server.
//
// Usage: node server.js [--host 127.0.0.1] [--port 0]
// Prints "LISTEN <host:port>" on stdout once listening. Every connection is
// accepted. Like the testdata plugin's streams in Runnel, the first client
// on the path /bench/<N>hz starts a publisher of N messages per second to
// every client on that path (it then runs until exit); other paths get
// nothing. Each message is a one-row data-frame-shaped JSON whose last value
// is the send time in Unix nanoseconds, the shape Runnel's bench stream and
// the Centrifuge peer send.
'use strict';

const { WebSocketServer, WebSocket } = require('ws');

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || i + 1 >= argv.length) {
      console.error(`unknown or incomplete argument: ${argv[i]}`);
      process.exit(2);
    }
    args[key] = key === 'host' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return args;
}

// Unix time in nanoseconds with sub-millisecond resolution: the monotonic
// clock plus an offset taken at the edge of a Date.now() millisecond tick.
function makeUnixNanos() {
  const start = Date.now();
  let edge = start;
  while (edge === start) edge = Date.now();
  const offset = BigInt(edge) * 1000000n - process.hrtime.bigint();
  return () => process.hrtime.bigint() + offset;
}

// N from "/bench/<N>hz", or 0.
function benchRate(path) {
  const match = /^\/bench\/(\d+)hz$/.exec(path);
  if (!match) return 0;
  const rate = Number(match[1]);
  return rate >= 1 && rate <= 100000 ? rate : 0;
}

const args = parseArgs(process.argv);
const unixNanos = makeUnixNanos();
const groups = new Map(); // path -> Set of sockets on it

// Publishes to `clients` on an absolute schedule, like a Go ticker
// (setInterval drifts by the callback's own time). A late wake-up publishes
// once and drops the missed ticks, so a starved server never builds a
// backlog.
function publishForever(rate, clients) {
  const periodNs = BigInt(Math.round(1e9 / rate));
  let value = 50;
  let next = unixNanos() + periodNs;
  const tick = () => {
    let now = unixNanos();
    if (now >= next) {
      value += Math.random() - 0.5;
      // The bytes Runnel's bench stream sends: one row of Time (epoch ms
      // plus the sub-millisecond nanos), Value (float64), sent_ns (int64).
      const payload =
        `{"data":{"values":[[${now / 1000000n}],[${value}],[${now}]],` +
        `"nanos":[[${now % 1000000n}],null,null]}}`;
      for (const client of clients) {
        if (client.readyState === WebSocket.OPEN) client.send(payload);
      }
      while (next <= now) next += periodNs;
      now = unixNanos();
    }
    setTimeout(tick, now >= next ? 0 : Number((next - now) / 1000000n));
  };
  setTimeout(tick, Number(periodNs / 1000000n));
}

const server = new WebSocketServer({
  host: args.host,
  port: args.port,
  perMessageDeflate: false,
  clientTracking: false,
});

server.on('listening', () => {
  const { address, port } = server.address();
  process.stdout.write(`LISTEN ${address}:${port}\n`);
});
server.on('connection', (socket, request) => {
  const path = request.url;
  let clients = groups.get(path);
  if (!clients) {
    clients = new Set();
    groups.set(path, clients);
    const rate = benchRate(path);
    if (rate > 0) publishForever(rate, clients);
  }
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => {});
});
server.on('error', (err) => {
  console.error(`ws server error: ${err.message}`);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
