// The SDK's Arrow encoding read by the apache-arrow npm package (an Arrow
// implementation independent of the SDK's): the frame a plugin answers
// QueryData with, as Grafana's Go SDK (data/arrow.go) writes it. Schema
// metadata "name", "refId" and "meta" (JSON with the channel), field
// metadata "tstype" and "labels", the types, and a null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { BUILD_DIR } from './support/host.mjs';

const writer = path.join(BUILD_DIR, 'tests', 'sdk', 'arrow_sample_writer');

test('the SDK Arrow frame reads as the Go SDK writes it', () => {
  const bytes = execFileSync(writer, { maxBuffer: 1 << 20 });
  const table = tableFromIPC(bytes);

  const metadata = table.schema.metadata;
  assert.equal(metadata.get('name'), 'sample');
  assert.equal(metadata.get('refId'), 'A');
  const meta = JSON.parse(metadata.get('meta'));
  assert.equal(meta.channel, 'ds/testdata/random-20Hz-stream');

  const [time, value, name] = table.schema.fields;
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['Time', 'Value', 'Name']);
  assert.equal(time.metadata.get('tstype'), 'time');
  assert.equal(time.type.toString(), 'Timestamp<NANOSECOND>');
  assert.equal(value.metadata.get('tstype'), 'number');
  assert.deepEqual(JSON.parse(value.metadata.get('labels')), { host: 'a' });
  assert.equal(value.nullable, true);
  assert.equal(value.type.toString(), 'Float64');
  assert.equal(name.metadata.get('tstype'), 'string');
  assert.equal(name.type.toString(), 'Utf8');

  assert.equal(table.numRows, 2);
  // apache-arrow gives epoch milliseconds (a bigint of nanoseconds in
  // some versions).
  const t0 = table.getChild('Time').get(0);
  assert.equal(typeof t0 === 'bigint' ? Number(t0 / 1000000n) : t0, 1700000000000);
  assert.equal(table.getChild('Value').get(0), 1.5);
  assert.equal(table.getChild('Value').get(1), null);
  assert.deepEqual(table.getChild('Name').toArray(), ['x', 'y']);
});
