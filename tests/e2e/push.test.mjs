// Issue 11, end to end: Telegraf-style pushes and publications against the
// real host, read with the real centrifuge JS client and decoded with
// Grafana's own @grafana/data (dataFrameFromJSON and StreamingDataFrame, as
// Grafana's live data source does).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import WebSocket from 'ws';

import { startHost } from './support/host.mjs';
import { newClient, nextEvent, publications } from './support/live-client.mjs';

// @grafana/data's ESM build imports moment-timezone by named export, which
// Node refuses for a CommonJS package; its CommonJS build loads.
const require = createRequire(import.meta.url);
const { dataFrameFromJSON, StreamingDataFrame } = require('@grafana/data');

async function post(host, path, body, contentType = 'text/plain') {
  const response = await fetch(`${host.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
  return { status: response.status, text: await response.text() };
}

// The fields of a decoded frame as [name, labels, values] rows.
function fieldRows(frame) {
  return frame.fields.map((f) => [f.name, f.labels ?? {}, Array.from(f.values)]);
}

describe('push and publish against the host', () => {
  let host;
  let client;

  before(async () => {
    host = await startHost();
    client = newClient(host);
    const connected = nextEvent(client, 'connected');
    client.connect();
    await connected;
  });

  after(async () => {
    client?.disconnect();
    await host?.stop();
  });

  // Subscribes and resolves once subscribed, with the subscription and the
  // subscribe context (its initial data).
  async function subscribe(channel) {
    const sub = client.newSubscription(channel);
    const subscribed = nextEvent(sub, 'subscribed');
    sub.subscribe();
    return { sub, ctx: await subscribed };
  }

  function drop(sub) {
    sub.unsubscribe();
    client.removeSubscription(sub);
  }

  test('labels_column frames read by StreamingDataFrame, several measurements, tags in any order', async () => {
    const { sub: cpu } = await subscribe('1/stream/e2e/cpu');
    const { sub: mem } = await subscribe('1/stream/e2e/mem');
    const cpuPubs = publications(cpu, 2);
    const memPubs = publications(mem, 1);
    const body = [
      'cpu,host=a,region=eu usage=1.5 1700000000000000000',
      'mem,host=a free=10i 1700000000000000000',
      'cpu,region=us,host=b usage=2.5 1700000001000000000',
    ].join('\n');
    assert.equal((await post(host, '/api/live/push/e2e', body)).status, 200);
    assert.equal((await post(host, '/api/live/push/e2e', 'cpu,region=eu,host=a usage=3 1700000002000000000')).status, 200);

    const [first, second] = await cpuPubs;
    assert.equal(first.data.schema?.name, 'cpu', 'the first frame of a channel carries its schema');
    assert.equal(second.data.schema, undefined, 'the same schema again: data only');
    const frame = StreamingDataFrame.fromDataFrameJSON(first.data, { maxLength: 100 });
    frame.push(second.data);
    assert.deepEqual(fieldRows(frame), [
      ['time', {}, [1700000000000, 1700000001000, 1700000002000]],
      // StreamingDataFrame joins the label sets on time; a set with no row
      // at a time has undefined there.
      ['usage', { host: 'a', region: 'eu' }, [1.5, undefined, 3]],
      ['usage', { host: 'b', region: 'us' }, [undefined, 2.5, undefined]],
    ]);

    const [memPub] = await memPubs;
    const memFrame = dataFrameFromJSON(memPub.data);
    assert.deepEqual(fieldRows(memFrame), [
      ['labels', {}, ['host=a']],
      ['time', {}, [1700000000000]],
      ['free', {}, [10]],
    ]);
    drop(cpu);
    drop(mem);
  });

  test('a schema change is published with the new schema', async () => {
    const { sub } = await subscribe('1/stream/e2e-change/disk');
    const pubs = publications(sub, 2);
    await post(host, '/api/live/push/e2e-change', 'disk,dev=sda used=1 1700000000000000000');
    await post(host, '/api/live/push/e2e-change', 'disk,dev=sda used=2,free=9 1700000001000000000');
    const [, changed] = await pubs;
    assert.ok(changed.data.schema, 'new field: the schema comes again');
    // StreamingDataFrame cannot take a new schema into a labels buffer that
    // already holds rows (its push throws "push message mismatch"), so a
    // reader starts a new buffer from a frame that carries a schema.
    const frame = StreamingDataFrame.fromDataFrameJSON(changed.data, { maxLength: 100 });
    assert.deepEqual(fieldRows(frame), [
      ['time', {}, [1700000001000]],
      ['free', { dev: 'sda' }, [9]],
      ['used', { dev: 'sda' }, [2]],
    ]);
    drop(sub);
  });

  test('wide frames carry the tags as field labels', async () => {
    const { sub } = await subscribe('1/stream/e2e-wide/cpu');
    const pubs = publications(sub, 1);
    const body = 'cpu,host=a,region=eu usage=1.5,idle=2 1700000000';
    const pushed = await post(host, '/api/live/push/e2e-wide?gf_live_frame_format=wide&precision=s', body);
    assert.equal(pushed.status, 200, pushed.text);
    const [pub] = await pubs;
    assert.deepEqual(fieldRows(dataFrameFromJSON(pub.data)), [
      ['time', {}, [1700000000000]],
      ['idle', { host: 'a', region: 'eu' }, [2]],
      ['usage', { host: 'a', region: 'eu' }, [1.5]],
    ]);
    drop(sub);
  });

  test('a late subscriber gets the last frame; a bad body publishes nothing', async () => {
    await post(host, '/api/live/push/e2e-late', 'net,if=eth0 rx=5 1700000000000000000');
    const bad = await post(host, '/api/live/push/e2e-late', 'net,if=eth0 rx=6 1700000001000000000\nnet rx=');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /line 2, column 8: expected field value/);
    const { sub, ctx } = await subscribe('1/stream/e2e-late/net');
    const frame = dataFrameFromJSON(ctx.data);
    assert.deepEqual(fieldRows(frame), [
      ['labels', {}, ['if=eth0']],
      ['time', {}, [1700000000000]],
      ['rx', {}, [5]],
    ]);
    drop(sub);
  });

  test('the push WebSocket takes bodies and answers a bad one', async () => {
    const { sub } = await subscribe('1/stream/e2e-ws/cpu');
    const pubs = publications(sub, 2);
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api/live/push/e2e-ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const answered = new Promise((resolve) => socket.once('message', (m) => resolve(JSON.parse(m.toString()))));
    socket.send('cpu v=1');
    socket.send('cpu v=oops');
    socket.send('cpu v=2');
    const error = await answered;
    assert.equal(error.status, 400);
    assert.match(error.message, /line 1, column/);
    const values = (await pubs).map((p) => p.data.data.values[2][0]);
    assert.deepEqual(values, [1, 2]);
    socket.close();
    drop(sub);
  });

  test('broadcast over HTTP and the client: live, then initial data for a late subscriber', async () => {
    const { sub } = await subscribe('1/grafana/broadcast/e2e');
    const pubs = publications(sub, 2);
    const http = await post(host, '/api/live/publish', JSON.stringify({ channel: 'grafana/broadcast/e2e', data: { n: 1 } }), 'application/json');
    assert.equal(http.status, 200, http.text);
    await client.publish('1/grafana/broadcast/e2e', { n: 2 });
    assert.deepEqual((await pubs).map((p) => p.data), [{ n: 1 }, { n: 2 }]);
    drop(sub);

    const { sub: late, ctx } = await subscribe('1/grafana/broadcast/e2e');
    assert.deepEqual(ctx.data, { n: 2 });
    drop(late);
  });

  test('publish to a plugin path, and the refusals', async () => {
    const { sub } = await subscribe('1/ds/testdata/echo');
    const pubs = publications(sub, 1);
    await client.publish('1/ds/testdata/echo', { hello: 'plugin' });
    assert.deepEqual((await pubs)[0].data, { hello: 'plugin' });
    drop(sub);

    const refusal = async (channel) => {
      try {
        await client.publish(channel, { x: 1 });
        return 0;
      } catch (error) {
        return error.code;
      }
    };
    assert.equal(await refusal('1/ds/testdata/random-20Hz-stream'), 403);
    assert.equal(await refusal('1/ds/testdata/no-such-path'), 404);
    assert.equal(await refusal('1/stream/e2e/cpu'), 403);
    const http = await post(host, '/api/live/publish', JSON.stringify({ channel: 'stream/e2e/cpu', data: 1 }), 'application/json');
    assert.equal(http.status, 403);
  });
});
