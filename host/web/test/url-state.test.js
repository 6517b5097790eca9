// Unit tests of the page's layout in its URL (src/url-state.js): node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { formatQueryTarget } from '../src/query.js';
import { formatState, parseState } from '../src/url-state.js';

const QUERY = formatQueryTarget({
  datasource: { uid: 'testdata' },
  queryType: 'live',
  path: 'random-20Hz-stream',
});

test('channels stay readable and come back', () => {
  const search = formatState({
    panels: ['ds/testdata/random-20Hz-stream', 'stream/a=b/cpu', ''],
    cols: 2,
    windowMs: 30_000,
    maxPoints: 500,
  });
  assert.equal(search, '?panels=ds/testdata/random-20Hz-stream,stream/a=b/cpu,&cols=2&window=30&points=500');
  assert.deepEqual(parseState(search), {
    panels: ['ds/testdata/random-20Hz-stream', 'stream/a=b/cpu', ''],
    cols: 2,
    windowMs: 30_000,
    maxPoints: 500,
  });
});

test('a query target, commas and all, is one panel and comes back whole', () => {
  const search = formatState({ panels: [QUERY, 'ds/testdata/random-2s-stream'], windowMs: 60_000 });
  assert.doesNotMatch(search.split('&')[0].slice('?panels='.length).replace(/,ds\/.*$/, ''), /,/);
  assert.match(search, /query:\{%22datasource%22:\{%22uid%22:%22testdata%22\}%2C/);
  // What the browser keeps in location.search is what was written.
  assert.equal(new URL(`http://host/${search}`).search, search);
  assert.deepEqual(parseState(search).panels, [QUERY, 'ds/testdata/random-2s-stream']);
});

test('a URL with no panels, or written by hand, still parses', () => {
  assert.equal(parseState('').panels, null);
  assert.equal(parseState('?cols=1').panels, null);
  assert.deepEqual(parseState('?panels=').panels, []);
  assert.deepEqual(parseState('panels=a%20b,+c').panels, ['a b', 'c']);
  assert.deepEqual(parseState('?panels=bad%E0,ok').panels, ['bad%E0', 'ok'], 'a broken escape is kept');
  assert.equal(parseState('?window=-5').windowMs, 60_000);
});
