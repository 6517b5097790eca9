// One Centrifuge connection to the host's /api/live/ws shared by every panel
// on the page, the way Grafana multiplexes its panels.
//
// LiveConnection owns the Centrifuge client and one Subscription per wire
// channel; any number of listeners (panels) can watch the same channel. The
// last message that carried a schema is kept per channel and replayed to a
// listener that joins later, so it can build its series. centrifuge-js
// reconnects and resubscribes by itself; listeners see the state changes.
//
// Listener: {onState(state, info), onMessage(data)} where state is one of
// 'subscribing' | 'subscribed' | 'unsubscribed' | 'error' and info is
// {code, message}. Connection listeners: onConnection(state, info) with
// state 'connecting' | 'connected' | 'disconnected'.
//
// Browser main thread only.

import { Centrifuge } from 'centrifuge';

export function liveUrl(location) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/live/ws`;
}

export class LiveConnection {
  constructor(url, { onConnection = () => {}, onClientError = () => {} } = {}) {
    this.client = new Centrifuge(url, { timeout: 10000, maxReconnectDelay: 5000 });
    this.channels = new Map(); // wire channel → {sub, listeners, lastSchema, state, info}
    this.publications = 0; // every publication on every channel, for the packet rate
    this.state = 'disconnected';
    this.client.on('connecting', (ctx) => {
      this.state = 'connecting';
      onConnection('connecting', { code: ctx.code, message: ctx.reason });
    });
    this.client.on('connected', (ctx) => {
      this.state = 'connected';
      onConnection('connected', { code: 0, message: ctx.transport });
    });
    this.client.on('disconnected', (ctx) => {
      this.state = 'disconnected';
      onConnection('disconnected', { code: ctx.code, message: ctx.reason });
    });
    this.client.on('error', (ctx) => {
      const err = ctx.error || {};
      onClientError({ code: err.code, message: err.message || String(ctx.type) });
    });
  }

  connect() {
    this.client.connect();
  }

  // Starts watching a wire channel; returns a function that stops.
  watch(wire, listener) {
    let entry = this.channels.get(wire);
    if (!entry) {
      entry = this.openChannel(wire);
    } else if (entry.state === 'unsubscribed') {
      // Refused earlier (or unsubscribed): ask again, the host may now agree.
      entry.sub.subscribe();
    } else {
      if (entry.lastSchema !== null) listener.onMessage(entry.lastSchema);
      listener.onState(entry.state, entry.info);
    }
    entry.listeners.add(listener);
    return () => this.unwatch(wire, listener);
  }

  openChannel(wire) {
    const sub = this.client.newSubscription(wire);
    const entry = {
      sub,
      listeners: new Set(),
      lastSchema: null,
      state: 'subscribing',
      info: { code: 0, message: '' },
    };
    const setState = (state, info) => {
      entry.state = state;
      entry.info = info;
      for (const l of entry.listeners) l.onState(state, info);
    };
    const deliver = (data) => {
      if (data == null) return;
      if (data.schema) entry.lastSchema = data;
      for (const l of entry.listeners) l.onMessage(data);
    };
    sub.on('subscribing', (ctx) => setState('subscribing', { code: ctx.code, message: ctx.reason }));
    sub.on('subscribed', (ctx) => {
      setState('subscribed', { code: 0, message: '' });
      deliver(ctx.data);
    });
    sub.on('publication', (ctx) => {
      this.publications++;
      deliver(ctx.data);
    });
    sub.on('unsubscribed', (ctx) =>
      setState('unsubscribed', { code: ctx.code, message: ctx.reason }),
    );
    sub.on('error', (ctx) => {
      const err = ctx.error || {};
      for (const l of entry.listeners) l.onState('error', { code: err.code, message: err.message });
    });
    this.channels.set(wire, entry);
    sub.subscribe();
    return entry;
  }

  unwatch(wire, listener) {
    const entry = this.channels.get(wire);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0) return;
    entry.sub.unsubscribe();
    entry.sub.removeAllListeners();
    this.client.removeSubscription(entry.sub);
    this.channels.delete(wire);
  }
}
