// The centrifuge JS client under Node, as the e2e tests drive it: a client
// for a host, and promises for its events with deadlines, so a broken host
// fails a test instead of hanging it.
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';

export const DEADLINE_MS = 20_000;

// Resolves with the first event `name` on `emitter` whose context passes
// `accept`; rejects after timeoutMs.
export function nextEvent(emitter, name, accept = () => true, timeoutMs = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(ctx) {
      if (!accept(ctx)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(ctx);
    }
    emitter.on(name, listener);
  });
}

// Resolves with the next `count` publications of `sub`.
export function publications(sub, count, timeoutMs = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => {
      sub.off('publication', listener);
      reject(new Error(`only ${got.length} of ${count} publications within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(ctx) {
      got.push(ctx);
      if (got.length < count) return;
      clearTimeout(timer);
      sub.off('publication', listener);
      resolve(got);
    }
    sub.on('publication', listener);
  });
}

export function newClient(host) {
  return new Centrifuge(host.wsUrl, {
    websocket: WebSocket,
    minReconnectDelay: 100,
    maxReconnectDelay: 1000,
    timeout: 10_000,
  });
}
