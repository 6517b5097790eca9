// Unit tests of channel ids, the picker list and the URL state: node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  defaultChannel,
  fromWireChannel,
  pickerChannels,
  testdataUids,
  toWireChannel,
} from '../src/channels.js';
import { formatState, parseState } from '../src/url-state.js';

test('channel ids get the org prefix on the wire', () => {
  assert.equal(toWireChannel('ds/testdata/random-20Hz-stream'), '1/ds/testdata/random-20Hz-stream');
  assert.equal(toWireChannel('  plugin/testdata/x '), '1/plugin/testdata/x');
  assert.equal(toWireChannel('2/ds/a/b'), '2/ds/a/b');
  assert.equal(toWireChannel('bad id'), '1/bad id', 'the host, not the page, judges validity');
  assert.equal(fromWireChannel('1/ds/a/b'), 'ds/a/b');
});

test('the picker offers testdata streams per data source, plugin/testdata and live channels', () => {
  const uids = testdataUids([
    { uid: 'td2', type: 'grafana-testdata-datasource' },
    { uid: 'prom', type: 'prometheus' },
    { uid: 'testdata', type: 'testdata' },
  ]);
  assert.deepEqual(uids, ['td2', 'testdata']);
  const live = {
    channels: [
      { channel: '1/ds/td3/random-2s-stream', subscribers: 1 },
      { channel: '1/stream/cpu/host1', subscribers: 2 },
      { channel: '1/ds/testdata/random-20Hz-stream', subscribers: 1 },
    ],
  };
  const list = pickerChannels({ uids, live });
  assert.equal(list[0], 'ds/td2/random-20Hz-stream');
  assert.ok(list.includes('ds/testdata/random-labeled-stream'));
  assert.ok(list.includes('ds/td3/random-flakey-stream'), 'uids seen in the live list count');
  assert.ok(list.includes('plugin/testdata/random-2s-stream'));
  assert.ok(list.includes('stream/cpu/host1'));
  assert.equal(new Set(list).size, list.length, 'no duplicates');
  assert.deepEqual(pickerChannels().slice(0, 1), ['ds/testdata/random-20Hz-stream']);
  assert.equal(testdataUids(null).length, 0);
});

test('the default panel is the first testdata data source 20 Hz stream', () => {
  assert.equal(defaultChannel([]), 'ds/testdata/random-20Hz-stream');
  assert.equal(defaultChannel(['abc', 'testdata']), 'ds/abc/random-20Hz-stream');
});

test('the URL keeps panels, columns and the window', () => {
  const state = parseState(
    '?panels=ds/testdata/random-20Hz-stream,,ds/testdata/random-labeled-stream&cols=2&window=30&points=500',
  );
  assert.deepEqual(state, {
    panels: ['ds/testdata/random-20Hz-stream', '', 'ds/testdata/random-labeled-stream'],
    cols: 2,
    windowMs: 30000,
    maxPoints: 500,
  });
  assert.equal(
    formatState(state),
    '?panels=ds/testdata/random-20Hz-stream,,ds/testdata/random-labeled-stream&cols=2&window=30&points=500',
  );
  const defaults = parseState('');
  assert.equal(defaults.panels, null);
  assert.equal(defaults.windowMs, 60000);
  assert.equal(defaults.maxPoints, 1000);
  assert.deepEqual(parseState('?panels=').panels, []);
  assert.equal(formatState({ panels: ['a b'], windowMs: 60000, maxPoints: 1000 }), '?panels=a%20b');
  assert.deepEqual(parseState(formatState({ panels: ['a b', 'x/y=z'] })).panels, ['a b', 'x/y=z']);
  assert.equal(parseState('?window=-3&points=abc').windowMs, 60000);
});
