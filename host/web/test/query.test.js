// Unit tests of a panel's data source query (src/query.js): node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  HistoryMerge,
  buildQueryRequest,
  formatQueryTarget,
  makeQuery,
  parseTarget,
  queryFields,
  readQueryResponse,
} from '../src/query.js';

const LIVE_QUERY = { datasource: { uid: 'testdata' }, queryType: 'live', path: 'random-20Hz-stream' };
const FIELDS = [
  { name: 'Time', type: 'time' },
  { name: 'Value', type: 'number' },
  { name: 'Min', type: 'number' },
  { name: 'Max', type: 'number' },
];

// A frame as /api/ds/query returns it: rows at `times`, meta.channel if given.
function historyFrame(times, channel) {
  const schema = { name: 'A', refId: 'A', fields: FIELDS };
  if (channel) schema.meta = { channel };
  return { schema, data: { values: [times, times.map(() => 1), times.map(() => 0), times.map(() => 2)] } };
}

function liveRows(times) {
  return { data: { values: [times, times.map(() => 5), times.map(() => 4), times.map(() => 6)] } };
}

test('makeQuery puts the form together; the form wins over the JSON text', () => {
  assert.deepEqual(makeQuery('testdata', 'live', '{"path": "random-20Hz-stream"}'), LIVE_QUERY);
  assert.deepEqual(
    makeQuery(' testdata ', 'live', { path: 'random-20Hz-stream', queryType: 'x', datasource: { uid: 'y' }, refId: 'Z' }),
    LIVE_QUERY,
  );
  assert.deepEqual(makeQuery('testdata', '', ''), { datasource: { uid: 'testdata' } }, 'no queryType: the default');
  assert.throws(() => makeQuery('', 'live', '{}'), /choose a data source/);
  assert.throws(() => makeQuery('testdata', 'live', '{path'), /not JSON/);
  assert.throws(() => makeQuery('testdata', 'live', '[1]'), /JSON object/);
  assert.deepEqual(queryFields({ ...LIVE_QUERY, refId: 'A' }), { path: 'random-20Hz-stream' });
});

test('a target is a channel, a query, nothing, or an invalid query', () => {
  assert.deepEqual(parseTarget(' ds/testdata/random-2s-stream '), {
    kind: 'channel',
    channel: 'ds/testdata/random-2s-stream',
  });
  assert.deepEqual(parseTarget(''), { kind: 'none' });
  assert.deepEqual(parseTarget(undefined), { kind: 'none' });
  const text = formatQueryTarget(LIVE_QUERY);
  assert.match(text, /^query:\{/);
  assert.deepEqual(parseTarget(text), { kind: 'query', query: LIVE_QUERY });
  assert.equal(parseTarget('query:{nope').kind, 'invalid');
  assert.match(parseTarget('query:{"queryType":"live"}').error, /datasource/);
});

test('the request runs the query over the window before now, spreading the points over it', () => {
  const body = buildQueryRequest(LIVE_QUERY, { windowMs: 60_000, maxPoints: 1000, nowMs: 1_700_000_060_000.4 });
  assert.deepEqual(body, {
    from: '1700000000000',
    to: '1700000060000',
    queries: [{ ...LIVE_QUERY, refId: 'A', maxDataPoints: 1000, intervalMs: 60 }],
  });
  const small = buildQueryRequest(LIVE_QUERY, { windowMs: 500, maxPoints: 1000, nowMs: 1000 });
  assert.equal(small.queries[0].intervalMs, 1, 'never a step under 1 ms');
  assert.equal(LIVE_QUERY.refId, undefined, 'the query object is not changed');
});

test('the answer gives the frames, the first meta.channel, and errors', () => {
  const frames = [historyFrame([1, 2]), historyFrame([3], 'ds/testdata/random-20Hz-stream')];
  const ok = readQueryResponse({ results: { A: { status: 200, frames } } });
  assert.equal(ok.frames.length, 2);
  assert.equal(ok.channel, 'ds/testdata/random-20Hz-stream');
  assert.equal(ok.error, null);
  const plain = readQueryResponse({ results: { A: { frames: [historyFrame([1])] } } });
  assert.equal(plain.channel, '', 'no meta.channel: just frames');
  const failed = readQueryResponse({ results: { A: { status: 400, error: 'unknown queryType: x' } } }, 207);
  assert.deepEqual(failed, { frames: [], channel: '', error: '400: unknown queryType: x' });
  assert.equal(readQueryResponse({ message: 'data source not found' }, 404).error, '404: data source not found');
  assert.equal(readQueryResponse(null, 502).error, '502: no result for the query');
});

test('history comes first, then live rows after it; rows the history covers are dropped', () => {
  const merge = new HistoryMerge({ maxAgeMs: 60_000, maxPoints: 1000 });
  const run = merge.begin();
  assert.ok(merge.finish(run, [historyFrame([1000, 2000, 3000], 'ds/testdata/random-20Hz-stream')]));
  assert.equal(merge.historyRows, 3);
  assert.equal(merge.frame.pointCount(), 3);
  // The subscribe reply: the stream's schema and its last row, older than
  // the end of the history.
  merge.live({ schema: { name: 'testdata', fields: FIELDS }, data: { values: [[2500], [5], [4], [6]] } });
  assert.equal(merge.frame.pointCount(), 3, 'the same layout keeps the history; the old row is dropped');
  merge.live(liveRows([3000, 3050, 3100]));
  assert.deepEqual(merge.frame.toColumns()[0], [1000, 2000, 3000, 3050, 3100]);
  assert.deepEqual(merge.frame.toColumns()[1], [1, 1, 1, 5, 5]);
  assert.equal(merge.firstTime(), 1000);
});

test('live rows that come while the query runs again follow the new history', () => {
  const merge = new HistoryMerge({ maxAgeMs: 60_000, maxPoints: 1000 });
  merge.finish(merge.begin(), [historyFrame([1000, 2000])]);
  merge.live({ schema: { name: 'testdata', fields: FIELDS } });
  merge.live(liveRows([2100]));
  const run = merge.begin();
  assert.ok(merge.running);
  merge.live(liveRows([2200]));
  merge.live(liveRows([2400]));
  assert.equal(merge.frame.pointCount(), 5, 'meanwhile the old frame goes on');
  assert.ok(merge.finish(run, [historyFrame([500, 1500, 2300])]));
  assert.ok(!merge.running);
  assert.deepEqual(merge.frame.toColumns()[0], [500, 1500, 2300, 2400]);
  assert.equal(merge.historyRows, 3);
  assert.equal(merge.firstTime(), 500, 'a longer range starts earlier');
});

test('an answer to an older run is ignored; a failed run leaves the live rows alone', () => {
  const merge = new HistoryMerge({ maxAgeMs: 60_000, maxPoints: 1000 });
  const first = merge.begin();
  const second = merge.begin();
  assert.equal(merge.finish(first, [historyFrame([1, 2, 3])]), false);
  assert.equal(merge.frame.pointCount(), 0);
  assert.ok(merge.finish(second, [historyFrame([10, 20])]));
  assert.deepEqual(merge.frame.toColumns()[0], [10, 20]);
  const failed = merge.begin();
  merge.live({ schema: { name: 'testdata', fields: FIELDS }, data: { values: [[30], [5], [4], [6]] } });
  assert.ok(merge.finish(failed, []));
  assert.equal(merge.historyRows, 0);
  assert.deepEqual(merge.frame.toColumns()[0], [30], 'the live layout and rows, without history');
});

test('frames of another layout than the first are left out', () => {
  const merge = new HistoryMerge({ maxAgeMs: 60_000, maxPoints: 1000 });
  const other = {
    schema: { fields: [{ name: 'Time', type: 'time' }, { name: 'Other', type: 'number' }] },
    data: { values: [[5], [7]] },
  };
  merge.finish(merge.begin(), [historyFrame([1, 2]), other]);
  assert.equal(merge.historyRows, 2);
  assert.deepEqual(merge.frame.series().map((s) => s.name), ['Value', 'Min', 'Max']);
});

test('the window trims the history like live rows', () => {
  const merge = new HistoryMerge({ maxAgeMs: 60_000, maxPoints: 1000 });
  merge.finish(merge.begin(), [historyFrame([0, 30_000, 60_000, 90_000])]);
  assert.equal(merge.frame.pointCount(), 3);
  merge.setWindow(60_000, 2);
  assert.deepEqual(merge.frame.toColumns()[0], [60_000, 90_000]);
});
