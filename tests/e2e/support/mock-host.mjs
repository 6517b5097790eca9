// A tiny stand-in for the Runnel host, for working on the page before the
// real host builds. NOT used by the tests: they always start build/host/runnel.
//
//   node support/mock-host.mjs --port 3000 --static ../../build/host/web
//
// Serves the static folder at /, GET /api/live/list, GET /api/datasources and
// a minimal Centrifuge v2 JSON endpoint at /api/live/ws with testdata's
// random-20Hz-stream, random-2s-stream, random-flakey-stream and
// random-labeled-stream on ds/testdata/ and plugin/testdata/.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';

import { WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '3000' }, static: { type: 'string', default: '.' } },
});

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const STREAMS = {
  'random-20Hz-stream': 50,
  'random-2s-stream': 2000,
  'random-flakey-stream': 100,
  'random-labeled-stream': 200,
};
const CHANNEL_RE = /^\d+\/(ds|plugin|grafana|stream)\/[A-Za-z0-9_-]+\/[A-Za-z0-9_\-/.=]+$/;
const active = new Map(); // channel → subscriber count

function schemaOf(path) {
  if (path.includes('-labeled')) {
    return {
      schema: {
        name: 'labeled',
        fields: [
          { name: 'labels', type: 'string' },
          { name: 'Time', type: 'time' },
          { name: 'Value', type: 'number' },
        ],
      },
    };
  }
  return {
    schema: {
      name: 'testdata',
      fields: [
        { name: 'Time', type: 'time' },
        { name: 'Value', type: 'number' },
        { name: 'Min', type: 'number' },
        { name: 'Max', type: 'number' },
      ],
    },
  };
}

function packetOf(path, walker) {
  const t = Date.now();
  if (path.includes('-labeled')) {
    const sec = Math.floor(t / 1000);
    return {
      data: {
        values: [
          [`s=A,s=p${Math.floor(sec / 3)},x=X`, `s=B,s=p${Math.floor(sec / 7)},x=X`],
          [t, t],
          [walker, walker + 10],
        ],
      },
    };
  }
  return { data: { values: [[t], [walker], [walker - Math.random() * 50], [walker + Math.random() * 50]] } };
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/api/live/list') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ channels: [...active].map(([channel, subscribers]) => ({ channel, subscribers })) }));
    return;
  }
  if (url.pathname === '/api/datasources') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ uid: 'testdata', type: 'testdata', name: 'TestData' }]));
    return;
  }
  let file = normalize(join(args.static, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!file.startsWith(normalize(args.static)) || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  res.setHeader('content-type', TYPES[extname(file)] || 'application/octet-stream');
  res.setHeader('cache-control', url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  createReadStream(file).pipe(res);
});

const wss = new WebSocketServer({ server, path: '/api/live/ws' });
wss.on('connection', (socket) => {
  const timers = new Map();
  const send = (obj) => socket.send(JSON.stringify(obj));
  const stop = (channel) => {
    clearInterval(timers.get(channel));
    timers.delete(channel);
    active.set(channel, (active.get(channel) || 1) - 1);
    if (active.get(channel) <= 0) active.delete(channel);
  };
  socket.on('message', (raw) => {
    for (const line of raw.toString().split('\n')) {
      if (line.trim() === '') continue;
      const cmd = JSON.parse(line);
      if (cmd.connect) {
        send({ id: cmd.id, connect: { client: 'mock', version: '0.0.0', ping: 25, pong: true } });
      } else if (cmd.subscribe) {
        const channel = cmd.subscribe.channel;
        if (!CHANNEL_RE.test(channel)) {
          send({ id: cmd.id, error: { code: 400, message: `invalid channel ID: ${channel}` } });
          continue;
        }
        const [, scope, ns, ...rest] = channel.split('/');
        const path = rest.join('/');
        if (!((scope === 'ds' && ns === 'testdata') || (scope === 'plugin' && ns === 'testdata'))) {
          send({ id: cmd.id, error: { code: 404, message: 'Not Found' } });
          continue;
        }
        if (!(path in STREAMS)) {
          send({ id: cmd.id, error: { code: 404, message: `testdata plugin does not support path: ${path}` } });
          continue;
        }
        send({ id: cmd.id, subscribe: { data: schemaOf(path) } });
        active.set(channel, (active.get(channel) || 0) + 1);
        let walker = Math.random() * 100;
        timers.set(
          channel,
          setInterval(() => {
            walker += Math.random() - 0.5;
            send({ push: { channel, pub: { data: packetOf(path, walker) } } });
          }, STREAMS[path]),
        );
      } else if (cmd.unsubscribe) {
        stop(cmd.unsubscribe.channel);
        send({ id: cmd.id, unsubscribe: {} });
      }
    }
  });
  socket.on('close', () => {
    for (const channel of [...timers.keys()]) stop(channel);
  });
});

server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`mock host on http://127.0.0.1:${server.address().port}/`);
});
