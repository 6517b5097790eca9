// Issue 12, end to end: two real hosts on one real redis-server
// (`[live] ha_engine = redis`), each with its own real centrifuge JS client.
// Publications made on one host reach the other's client, a client's own
// publish command goes through too, and a late subscriber on one host gets
// the frame pushed to the other as its subscription's data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { sleep, startHost } from './support/host.mjs';
import { newClient, nextEvent, publications } from './support/live-client.mjs';
import { startRedis } from './support/redis.mjs';

describe('two hosts on one Redis, with the centrifuge JS client', () => {
  let redis;
  const hosts = [];
  const clients = [];

  before(async () => {
    redis = await startRedis();
    const extraConfig = ['[live]', 'ha_engine = redis', `ha_engine_address = ${redis.address}`].join(
      '\n',
    );
    for (let i = 0; i < 2; i++) {
      const host = await startHost({ extraConfig });
      hosts.push(host);
      const client = newClient(host);
      const connected = nextEvent(client, 'connected');
      client.connect();
      await connected;
      clients.push(client);
    }
  });

  after(async () => {
    for (const client of clients) client.disconnect();
    for (const host of hosts) await host.stop();
    await redis?.stop();
  });

  // Subscribes `client` and resolves with [subscription, subscribed ctx].
  async function subscribe(client, channel) {
    const sub = client.newSubscription(channel);
    const subscribed = nextEvent(sub, 'subscribed');
    sub.subscribe();
    return [sub, await subscribed];
  }

  // Resolves once `count` hosts listen to the wire channel in Redis.
  async function hostsListening(channel, count) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const reply = await redis.command('PUBSUB', 'NUMSUB', `gf_live.pub.${channel}`);
      if (Number(reply.split('\n')[1]) === count) return;
      await sleep(50);
    }
    throw new Error(`${count} hosts never listened to ${channel}`);
  }

  test('a broadcast published on one host reaches the client of the other', async () => {
    const channel = '1/grafana/broadcast/e2e';
    const [onA] = await subscribe(clients[0], channel);
    const [onB] = await subscribe(clients[1], channel);
    await hostsListening(channel, 2);
    const gotA = publications(onA, 1);
    const gotB = publications(onB, 1);
    const response = await fetch(`${hosts[0].url}/api/live/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'grafana/broadcast/e2e', data: { from: 'A' } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual((await gotB)[0].data, { from: 'A' });
    assert.deepEqual((await gotA)[0].data, { from: 'A' });

    // B's client publishes with the Centrifuge publish command: A's gets it.
    const nextOnA = publications(onA, 1);
    await clients[1].publish(channel, { from: 'B' });
    assert.deepEqual((await nextOnA)[0].data, { from: 'B' });
    onA.unsubscribe();
    onB.unsubscribe();
  });

  test('a late subscriber on one host gets the frame pushed to the other', async () => {
    const response = await fetch(`${hosts[0].url}/api/live/push/e2e`, {
      method: 'POST',
      body: 'cpu,host=a usage=42 1700000000000000000\n',
    });
    assert.equal(response.status, 200);
    // Kept in Redis, in Grafana's layout, for every host.
    const key = 'gf_live.managed_stream.1/stream/e2e/cpu';
    const deadline = Date.now() + 10_000;
    while ((await redis.command('HEXISTS', key, 'frame')) !== '1') {
      assert.ok(Date.now() < deadline, `${key} never appeared in Redis`);
      await sleep(50);
    }
    const [sub, { data }] = await subscribe(clients[1], '1/stream/e2e/cpu');
    sub.unsubscribe();
    assert.ok(data, 'no initial data on host B');
    assert.equal(data.schema.name, 'cpu');
    assert.deepEqual(data.data.values[2], [42]);
  });
});
