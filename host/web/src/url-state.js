// The page's layout in its URL, so a link reopens the same view:
//   ?panels=ds/testdata/random-20Hz-stream,ds/testdata/random-labeled-stream
//    &cols=2&window=60&points=1000
// panels: the channel of each panel, in order (an empty entry is a panel with
// no channel yet); cols: columns of the grid (0 = automatic); window: seconds
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
  const panelsText = params.get('panels');
  return {
    panels:
      panelsText === null ? null : panelsText === '' ? [] : panelsText.split(',').map((p) => p.trim()),
    cols: Math.floor(positiveNumber(params.get('cols'), 0)),
    windowMs: positiveNumber(params.get('window'), DEFAULT_MAX_AGE_MS / 1000) * 1000,
    maxPoints: Math.floor(positiveNumber(params.get('points'), DEFAULT_MAX_POINTS)),
  };
}

// Channel ids use only A-Z a-z 0-9 _ - / . = (and ',' separates panels), so
// '/' and '=' stay readable; anything else is percent-encoded.
function encodeChannel(channel) {
  return encodeURIComponent(channel).replace(/%2F/gi, '/').replace(/%3D/gi, '=');
}

// Writes a query string (with "?"); defaults are left out.
export function formatState({ panels = [], cols = 0, windowMs, maxPoints }) {
  const parts = [`panels=${panels.map(encodeChannel).join(',')}`];
  if (cols > 0) parts.push(`cols=${cols}`);
  if (windowMs && windowMs !== DEFAULT_MAX_AGE_MS) parts.push(`window=${windowMs / 1000}`);
  if (maxPoints && maxPoints !== DEFAULT_MAX_POINTS) parts.push(`points=${maxPoints}`);
  return `?${parts.join('&')}`;
}
