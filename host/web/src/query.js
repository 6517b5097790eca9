// A panel's data source query, with no DOM: the target text that names it,
// the POST /api/ds/query body that runs it over the panel's time range, what
// the answer means for the panel, and the merge of the queried history with
// the live rows of the channel a frame names (Grafana's flow: a frame whose
// meta.channel names a Live channel is drawn as history, then the panel
// subscribes to that channel and appends its rows).
//
// A query is Grafana's query object without its refId:
//   {datasource: {uid}, queryType, ...fields the plugin understands}
// e.g. {datasource: {uid: 'testdata'}, queryType: 'live', path: 'random-20Hz-stream'}.
// As a panel target (the URL, the panel's input) it is "query:" + that JSON;
// any other target text is a channel.
//
// Not thread-safe (browser main thread / one Node test).

import { StreamFrame, sameLayout } from './frames.js';

export const QUERY_PREFIX = 'query:';
export const REF_ID = 'A';

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// A query from its parts: the data source uid, the queryType and the other
// fields (an object, or JSON text of one). Throws with a message for the
// user when the fields are not a JSON object or no data source is chosen.
export function makeQuery(uid, queryType, fields = {}) {
  const ds = String(uid ?? '').trim();
  if (ds === '') throw new Error('choose a data source');
  let extra = fields;
  if (typeof fields === 'string') {
    const text = fields.trim();
    try {
      extra = text === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new Error(`query fields are not JSON: ${err.message}`);
    }
  }
  if (!isObject(extra)) throw new Error('query fields must be a JSON object');
  // The form's data source and queryType win over the same keys in the text.
  const { datasource: _ds, queryType: _qt, refId: _ref, ...rest } = extra;
  const query = { datasource: { uid: ds } };
  const type = String(queryType ?? '').trim();
  if (type !== '') query.queryType = type;
  return { ...query, ...rest };
}

// The fields of a query other than datasource, queryType and refId: what the
// panel's JSON text area shows.
export function queryFields(query) {
  const { datasource: _ds, queryType: _qt, refId: _ref, ...rest } = query;
  return rest;
}

// Target text → {kind: 'channel', channel} | {kind: 'query', query} |
// {kind: 'none'}; a "query:" text that is not a query object with a data
// source uid is {kind: 'invalid', error}.
export function parseTarget(text) {
  const trimmed = String(text ?? '').trim();
  if (trimmed === '') return { kind: 'none' };
  if (!trimmed.startsWith(QUERY_PREFIX)) return { kind: 'channel', channel: trimmed };
  let query;
  try {
    query = JSON.parse(trimmed.slice(QUERY_PREFIX.length));
  } catch (err) {
    return { kind: 'invalid', error: `query is not JSON: ${err.message}` };
  }
  if (!isObject(query) || !isObject(query.datasource) || typeof query.datasource.uid !== 'string') {
    return { kind: 'invalid', error: 'query needs {"datasource": {"uid": ...}}' };
  }
  return { kind: 'query', query };
}

// The target text of a query (the inverse of parseTarget).
export function formatQueryTarget(query) {
  return `${QUERY_PREFIX}${JSON.stringify(query)}`;
}

// The POST /api/ds/query body that runs `query` over the last windowMs before
// nowMs. maxDataPoints is the panel's point budget and intervalMs the step
// that spreads it over the window (what Grafana derives from the panel's
// width), so the history fills the window the live rows then roll through.
export function buildQueryRequest(query, { windowMs, maxPoints, nowMs }) {
  const to = Math.round(nowMs);
  const from = Math.round(nowMs - windowMs);
  const points = Math.max(1, Math.floor(maxPoints));
  return {
    from: String(from),
    to: String(to),
    queries: [
      {
        ...query,
        refId: REF_ID,
        maxDataPoints: points,
        intervalMs: Math.max(1, Math.ceil(windowMs / points)),
      },
    ],
  };
}

// What an /api/ds/query answer (parsed JSON, any HTTP status) says about the
// panel's query: {frames, channel, error}. channel is the meta.channel of
// the first frame that has one ('' when none does); error is a message when
// the query failed (frames may still hold what came back).
export function readQueryResponse(body, httpStatus = 200) {
  const result = isObject(body) && isObject(body.results) ? body.results[REF_ID] : null;
  if (!isObject(result)) {
    const message = isObject(body) && body.message ? body.message : 'no result for the query';
    return { frames: [], channel: '', error: `${httpStatus}: ${message}` };
  }
  const frames = Array.isArray(result.frames) ? result.frames.filter(isObject) : [];
  let channel = '';
  for (const frame of frames) {
    const meta = isObject(frame.schema) && isObject(frame.schema.meta) ? frame.schema.meta : null;
    if (meta && typeof meta.channel === 'string' && meta.channel !== '') {
      channel = meta.channel;
      break;
    }
  }
  let error = null;
  if (result.error) error = `${result.status || httpStatus}: ${result.error}`;
  else if (typeof result.status === 'number' && result.status >= 400) error = `${result.status}: query failed`;
  return { frames, channel, error };
}

// The queried history of a panel and the live rows that follow it, in one
// StreamFrame (frame). A run of the query goes:
//   const run = merge.begin();      // live rows now also wait for the run
//   merge.live(message)             // every live message, at any time
//   merge.finish(run, frames)       // the answer: a new frame of history,
//                                   // then the live rows that waited
// Live rows at or before the newest history time are dropped: the history
// already covers that instant (the subscribe reply's last frame, or rows
// that crossed the query in flight). An answer to an older run than the
// latest is ignored. Frames plotted are the ones of the first frame's
// layout (a panel plots one layout).
export class HistoryMerge {
  constructor({ maxAgeMs, maxPoints }) {
    this.maxAgeMs = maxAgeMs;
    this.maxPoints = maxPoints;
    this.frame = this.newFrame();
    this.runs = 0; // runs begun
    this.pending = null; // live messages since the latest run began, or null
    this.lastLiveSchema = null; // the last live message with a schema
    this.historyEnd = -Infinity; // newest history time of the current frame
    this.historyRows = 0; // rows of history in the current frame
  }

  newFrame() {
    return new StreamFrame({ maxAgeMs: this.maxAgeMs, maxPoints: this.maxPoints });
  }

  setWindow(maxAgeMs, maxPoints) {
    this.maxAgeMs = maxAgeMs;
    this.maxPoints = maxPoints;
    this.frame.maxAgeMs = maxAgeMs;
    this.frame.maxPoints = maxPoints;
    this.frame.trim();
    this.frame.version++;
  }

  begin() {
    this.runs++;
    this.pending = [];
    return this.runs;
  }

  get running() {
    return this.pending !== null;
  }

  // Returns what StreamFrame.push returned for the current frame.
  live(message) {
    if (message && message.schema) this.lastLiveSchema = message;
    if (this.pending !== null) this.pending.push(message);
    return this.pushLive(this.frame, message);
  }

  pushLive(frame, message) {
    if (!message || !message.data || !Array.isArray(message.data.values)) return frame.push(message);
    return frame.push(message, { after: this.historyEnd });
  }

  // Returns false when `run` is not the latest run (nothing changed), else
  // true with the new frame in place. Frames may be empty (a failed query):
  // the panel then starts over with the live rows alone.
  finish(run, frames) {
    if (run !== this.runs) return false;
    const frame = this.newFrame();
    let rows = 0;
    let end = -Infinity;
    for (const message of frames) {
      // Another layout than the first frame's is left out.
      const fields = message.schema && message.schema.fields;
      if (frame.fields !== null && Array.isArray(fields) && !sameLayout(frame.fields, fields)) continue;
      rows += frame.push(message).rows;
      if (frame.newestTime > end) end = frame.newestTime;
    }
    const waiting = this.pending ?? [];
    this.pending = null;
    this.frame = frame;
    this.historyEnd = end;
    this.historyRows = rows;
    // The layout live rows use, then the rows that came while the query ran.
    if (this.lastLiveSchema !== null && !waiting.includes(this.lastLiveSchema)) {
      this.pushLive(frame, { schema: this.lastLiveSchema.schema });
    }
    for (const message of waiting) this.pushLive(frame, message);
    return true;
  }

  // The panel's time of the first row in the window, or null.
  firstTime() {
    let first = null;
    for (const group of this.frame.groups.values()) {
      if (group.times.length > 0 && (first === null || group.times[0] < first)) first = group.times[0];
    }
    return first;
  }
}
