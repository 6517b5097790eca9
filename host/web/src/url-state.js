// The page's layout in its URL, so a link reopens the same view:
//   ?panels=ds/testdata/random-20Hz-stream,ds/testdata/random-labeled-stream
//    &cols=2&window=60&points=1000
// panels: the target of each panel, in order: a channel, or a data source
// query as "query:" + its JSON (query.js), e.g.
//   panels=query:{%22datasource%22:{%22uid%22:%22testdata%22}%2C%22queryType%22:%22live%22%2C...}
// (an empty entry is a panel with no target yet); cols: columns of the grid (0 = automatic); window: seconds
// of the rolling window; points: the most points per series. No DOM.

import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_POINTS } from './frames.js';

function positiveNumber(text, fallback) {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

// Reads a query string ("?a=b" or "a=b"). panels is null when the URL names
// no panel at all, so the page can pick its default.
export function parseState(search) {
  const params = new URLSearchParams(search);
  const panelsText = rawParam(search, 'panels');
  return {
    panels: panelsText === null ? null : panelsText === '' ? [] : panelsText.split(',').map(decodeEntry),
    cols: Math.floor(positiveNumber(params.get('cols'), 0)),
    windowMs: positiveNumber(params.get('window'), DEFAULT_MAX_AGE_MS / 1000) * 1000,
    maxPoints: Math.floor(positiveNumber(params.get('points'), DEFAULT_MAX_POINTS)),
  };
}

// The value of `name` in a query string as written, not yet percent-decoded:
// panels are split at its literal commas, and a comma inside an entry (a
// query's JSON) travels as %2C. null when absent.
function rawParam(search, name) {
  const text = String(search ?? '').replace(/^\?/, '');
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (decodeEntry(key) === name) return eq < 0 ? '' : part.slice(eq + 1);
  }
  return null;
}

// As URLSearchParams decodes: '+' is a space; a broken escape is kept as is.
function decodeEntry(text) {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced).trim();
  } catch {
    return spaced.trim();
  }
}

// Channel ids use only A-Z a-z 0-9 _ - / . = (and ',' separates panels), so
// '/' and '=' stay readable; a query target also keeps ':' '{' '}' readable.
// Anything else (',' included) is percent-encoded.
function encodeChannel(channel) {
  return encodeURIComponent(channel).replace(/%(2F|3D|3A|7B|7D)/gi, (m) => decodeURIComponent(m));
}

// Writes a query string (with "?"); defaults are left out.
export function formatState({ panels = [], cols = 0, windowMs, maxPoints }) {
  const parts = [`panels=${panels.map(encodeChannel).join(',')}`];
  if (cols > 0) parts.push(`cols=${cols}`);
  if (windowMs && windowMs !== DEFAULT_MAX_AGE_MS) parts.push(`window=${windowMs / 1000}`);
  if (maxPoints && maxPoints !== DEFAULT_MAX_POINTS) parts.push(`points=${maxPoints}`);
  return `?${parts.join('&')}`;
}
