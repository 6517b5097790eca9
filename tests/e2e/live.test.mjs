// Issue 3, end to end: the real centrifuge JS client (npm 5.x) under Node,
// with `ws` as its WebSocket, against the real host and testdata plugin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startHost } from './support/host.mjs';
import { newClient, nextEvent, publications } from './support/live-client.mjs';

function assertTestdataPacket(data) {
  assert.ok(data && data.data && Array.isArray(data.data.values), `not a data packet: ${JSON.stringify(data)}`);
  assert.equal(data.data.values.length, 4, 'Time, Value, Min, Max');
  for (const column of data.data.values) assert.equal(column.length, 1);
  assert.equal(typeof data.data.values[0][0], 'number', 'time in epoch ms');
}

describe('centrifuge-js against the host', () => {
  let host;
  let client;

  before(async () => {
    host = await startHost();
  });

  after(async () => {
    client?.disconnect();
    await host?.stop();
  });

  test('connects, subscribes to the 20 Hz stream and receives publications', async () => {
    client = newClient(host);
    const connected = nextEvent(client, 'connected');
    client.connect();
    const ctx = await connected;
    assert.equal(ctx.transport, 'websocket');

    const sub = client.newSubscription('1/ds/testdata/random-20Hz-stream');
    const subscribed = nextEvent(sub, 'subscribed');
    const received = publications(sub, 10);
    sub.subscribe();
    const subCtx = await subscribed;
    const fields = subCtx.data?.schema?.fields?.map((f) => f.name);
    assert.deepEqual(fields, ['Time', 'Value', 'Min', 'Max'], 'the subscribe reply carries the schema');
    const pubs = await received;
    for (const pub of pubs) {
      assert.equal(pub.channel, '1/ds/testdata/random-20Hz-stream');
      assertTestdataPacket(pub.data);
    }
    const times = pubs.map((p) => p.data.data.values[0][0]);
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]), 'times do not go backwards');
    sub.unsubscribe();
    client.removeSubscription(sub);
  });

  test('a refused subscription reaches unsubscribed with the code', async () => {
    assert.ok(client, 'connected by the previous test');
    const unknown = client.newSubscription('1/ds/nope/random-20Hz-stream');
    const unknownDone = nextEvent(unknown, 'unsubscribed');
    unknown.subscribe();
    const unknownCtx = await unknownDone;
    assert.equal(unknownCtx.code, 404, `unknown data source: ${JSON.stringify(unknownCtx)}`);

    const invalid = client.newSubscription('1/ds/testdata');
    const invalidDone = nextEvent(invalid, 'unsubscribed');
    invalid.subscribe();
    const invalidCtx = await invalidDone;
    assert.equal(invalidCtx.code, 400, `invalid id: ${JSON.stringify(invalidCtx)}`);
    assert.match(invalidCtx.reason, /invalid channel/i);

    // The connection survives refusals: a good channel still works.
    const good = client.newSubscription('1/plugin/testdata/random-20Hz-stream');
    const received = publications(good, 3);
    good.subscribe();
    for (const pub of await received) assertTestdataPacket(pub.data);
    for (const sub of [unknown, invalid, good]) {
      sub.unsubscribe();
      client.removeSubscription(sub);
    }
  });

  test('reconnects after the host restarts and receives again', async () => {
    assert.ok(client, 'connected by the first test');
    const sub = client.newSubscription('1/ds/testdata/random-20Hz-stream');
    const first = publications(sub, 3);
    sub.subscribe();
    await first;

    const lost = nextEvent(client, 'connecting');
    await host.kill();
    const lostCtx = await lost;
    assert.notEqual(lostCtx.code, 0, 'the client noticed the host went away');

    const reconnected = nextEvent(client, 'connected');
    const resubscribed = nextEvent(sub, 'subscribed');
    await host.start();
    await reconnected;
    const subCtx = await resubscribed;
    assert.ok(subCtx.data?.schema, 'the new subscribe reply carries the schema again');
    const again = await publications(sub, 5);
    for (const pub of again) assertTestdataPacket(pub.data);
  });
});
