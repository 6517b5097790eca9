// Frame → series logic for one live channel, with no DOM.
//
// A StreamFrame takes the Grafana DataFrameJSON messages a channel delivers
// ({schema?, data?}: the subscribe reply's data and every publication's data)
// and keeps what a time-series chart plots, the way Grafana's
// StreamingDataFrame does:
//   - a message with a schema sets the field layout; the same layout again
//     keeps the buffered rows, a different one starts over;
//   - a message with data.values appends rows (column-major, one array per
//     field); without any schema yet the fields are guessed from the values;
//   - data.entities restores NaN, Infinity, -Infinity and undefined, and
//     data.nanos adds sub-millisecond time;
//   - a frame with a string field named "labels" is a labeled frame: each
//     distinct labels value is its own label set, with its own series;
//   - a rolling window keeps, per label set, the rows of the last maxAgeMs
//     (measured from the newest time seen) and at most maxPoints rows;
//   - markBreak() (the subscription came back after a loss) makes the next
//     rows of every label set that has rows start after a break row: a row
//     of nulls between the last old row and the first new one, so the chart
//     shows a gap over the outage instead of a line. A break row is a row of
//     the window like any other (it counts and rolls out) but not a received
//     row (totalRows).
// One series per number field per label set; time is the x axis.
//
// Not thread-safe (browser main thread / one Node test). Messages are only
// read, never kept: the frame copies what it needs.

export const DEFAULT_MAX_AGE_MS = 60_000;
export const DEFAULT_MAX_POINTS = 1000;

// Returns a display text for a labels value: "s=A,x=X" or {s:"A"} →
// "{s=A, x=X}"; empty labels → "".
export function formatLabels(labels) {
  if (labels == null) return '';
  let pairs;
  if (typeof labels === 'string') {
    const inner = labels.trim().replace(/^\{/, '').replace(/\}$/, '');
    pairs = inner
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  } else {
    pairs = Object.keys(labels).map((k) => `${k}=${labels[k]}`);
  }
  return pairs.length === 0 ? '' : `{${pairs.join(', ')}}`;
}

function fieldDisplayName(field) {
  const config = field.config || {};
  return config.displayNameFromDS || config.displayName || field.name;
}

function guessType(column) {
  for (const v of column) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') return 'number';
    if (typeof v === 'boolean') return 'boolean';
    return 'string';
  }
  return 'number';
}

// Guesses a schema from the first data message when no schema came first:
// the first numeric column is time, the rest keep their value types.
function guessFields(values) {
  return values.map((column, i) => {
    const type = guessType(column);
    if (i === 0 && type === 'number') return { name: 'Time', type: 'time' };
    if (i === 0 && type === 'string') return { name: 'labels', type: 'string' };
    return { name: `Field ${i + 1}`, type };
  });
}

// Whether two field lists plot the same way (names, types, labels).
export function sameLayout(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].type !== b[i].type) return false;
    if (formatLabels(a[i].labels) !== formatLabels(b[i].labels)) return false;
  }
  return true;
}

function toTimeMs(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const parsed = Date.parse(v);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

// Index of the first element of sorted `times` greater than t.
function upperBound(times, t) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class StreamFrame {
  constructor({ maxAgeMs = DEFAULT_MAX_AGE_MS, maxPoints = DEFAULT_MAX_POINTS } = {}) {
    this.maxAgeMs = maxAgeMs;
    this.maxPoints = maxPoints;
    this.fields = null; // [{name, type, config, labels}] or null before any schema
    this.schemaName = '';
    this.guessedSchema = false;
    this.totalRows = 0; // rows appended since the last layout change
    this.packets = 0; // messages with data since construction
    this.newestTime = -Infinity;
    this.version = 0; // bumps whenever the series list changes
    this.resetGroups();
  }

  resetGroups() {
    // label-set key → {key, labelText, times: number[], columns: Array<Array>,
    // breakPending: boolean}; columns[j] holds the values of
    // this.numberFields[j].
    this.groups = new Map();
    this.newestTime = -Infinity;
    this.totalRows = 0;
    this.version++;
  }

  setFields(fields) {
    this.fields = fields.map((f) => ({
      name: String(f.name ?? ''),
      type: f.type || 'number',
      config: f.config || {},
      labels: f.labels || null,
    }));
    this.timeIndex = this.fields.findIndex((f) => f.type === 'time');
    if (this.timeIndex < 0) this.timeIndex = this.fields.findIndex((f) => f.name === 'Time');
    this.labelsIndex = this.fields.findIndex((f) => f.name === 'labels' && f.type === 'string');
    this.numberFields = [];
    this.fields.forEach((f, i) => {
      if (f.type === 'number' && i !== this.timeIndex) this.numberFields.push(i);
    });
    this.resetGroups();
  }

  // Applies one DataFrameJSON message. Returns {rows, schemaChanged, error}:
  // error is a message when the packet was refused (nothing of it kept).
  // options.after: rows at or before this time are left out (live rows that
  // a queried history already covers); rows counts the rows kept.
  push(message, { after = -Infinity } = {}) {
    const result = { rows: 0, schemaChanged: false, error: null };
    if (message == null || typeof message !== 'object') {
      result.error = 'packet is not a frame object';
      return result;
    }
    const schema = message.schema;
    if (schema && Array.isArray(schema.fields)) {
      if (this.fields === null || this.guessedSchema || !sameLayout(this.fields, schema.fields)) {
        this.setFields(schema.fields);
        result.schemaChanged = true;
      }
      this.guessedSchema = false;
      this.schemaName = schema.name || '';
    }
    const data = message.data;
    if (!data || !Array.isArray(data.values)) return result;
    if (this.fields === null) {
      this.setFields(guessFields(data.values));
      this.guessedSchema = true;
      result.schemaChanged = true;
    }
    if (data.values.length !== this.fields.length) {
      result.error = `push message mismatch: ${data.values.length} columns, schema has ${this.fields.length} fields`;
      return result;
    }
    const rowCount = data.values.length === 0 ? 0 : data.values[0].length;
    for (const column of data.values) {
      if (!Array.isArray(column) || column.length !== rowCount) {
        result.error = 'push message mismatch: columns differ in length';
        return result;
      }
    }
    if (this.timeIndex < 0) {
      result.error = 'frame has no time field';
      return result;
    }
    const columns = data.values.map((column, i) => this.restoreColumn(column, data, i));
    const labelSetsBefore = this.labelSetKeys();
    const kept = after === -Infinity ? rowCount : this.dropRowsUntil(columns, rowCount, after);
    this.insertPendingBreaks(columns, kept);
    for (let row = 0; row < kept; row++) this.appendRow(columns, row);
    this.packets++;
    this.totalRows += kept;
    this.trim();
    if (this.labelSetKeys() !== labelSetsBefore) this.version++;
    result.rows = kept;
    return result;
  }

  // Copies one column, restoring entities and (for the time field) nanos.
  restoreColumn(column, data, index) {
    const out = column.slice();
    const entities = Array.isArray(data.entities) ? data.entities[index] : null;
    if (entities) {
      for (const i of entities.NaN || []) out[i] = NaN;
      for (const i of entities.Inf || []) out[i] = Infinity;
      for (const i of entities.NegInf || []) out[i] = -Infinity;
      for (const i of entities.Undefined || []) out[i] = undefined;
    }
    if (index === this.timeIndex) {
      const nanos = Array.isArray(data.nanos) ? data.nanos[index] : null;
      for (let i = 0; i < out.length; i++) {
        let t = toTimeMs(out[i]);
        if (t !== null && nanos && typeof nanos[i] === 'number') t += nanos[i] / 1e6;
        out[i] = t;
      }
    }
    return out;
  }

  // Removes, in place, the rows whose time is at or before `after` (or not
  // a time); returns the number of rows left.
  dropRowsUntil(columns, rowCount, after) {
    const times = columns[this.timeIndex];
    const keep = [];
    for (let row = 0; row < rowCount; row++) if (times[row] > after) keep.push(row);
    if (keep.length === rowCount) return rowCount;
    for (let i = 0; i < columns.length; i++) columns[i] = keep.map((row) => columns[i][row]);
    return keep.length;
  }

  // The rows that follow come after a loss of the subscription: every label
  // set that has rows gets a break before its next row.
  markBreak() {
    for (const group of this.groups.values()) group.breakPending = true;
  }

  labelKeyOf(columns, row) {
    return this.labelsIndex >= 0 ? String(columns[this.labelsIndex][row] ?? '') : '';
  }

  // Before a packet's rows are appended: each label set with a pending break
  // that gets rows in this packet gets a row of nulls halfway between its
  // last row and its earliest new row. New rows that do not come after the
  // old ones leave nothing to break (the break is dropped).
  insertPendingBreaks(columns, rowCount) {
    let firstNew = null; // label-set key → earliest new time
    for (const group of this.groups.values()) {
      if (!group.breakPending) continue;
      if (firstNew === null) {
        firstNew = new Map();
        const times = columns[this.timeIndex];
        for (let row = 0; row < rowCount; row++) {
          const t = times[row];
          if (t === null || t === undefined || Number.isNaN(t)) continue;
          const key = this.labelKeyOf(columns, row);
          const seen = firstNew.get(key);
          if (seen === undefined || t < seen) firstNew.set(key, t);
        }
      }
      const next = firstNew.get(group.key);
      if (next === undefined) continue;
      group.breakPending = false;
      const last = group.times[group.times.length - 1];
      const at = last + (next - last) / 2;
      if (!(at > last && at < next)) continue;
      group.times.push(at);
      for (const column of group.columns) column.push(null);
    }
  }

  groupFor(labelText) {
    let group = this.groups.get(labelText);
    if (!group) {
      group = {
        key: labelText,
        labelText: formatLabels(labelText),
        times: [],
        columns: this.numberFields.map(() => []),
        breakPending: false,
      };
      this.groups.set(labelText, group);
    }
    return group;
  }

  appendRow(columns, row) {
    const t = columns[this.timeIndex][row];
    if (t === null || t === undefined || Number.isNaN(t)) return;
    const labelText = this.labelKeyOf(columns, row);
    const group = this.groupFor(labelText);
    const last = group.times.length === 0 ? -Infinity : group.times[group.times.length - 1];
    if (t >= last) {
      group.times.push(t);
      this.numberFields.forEach((fieldIndex, j) => group.columns[j].push(columns[fieldIndex][row]));
    } else {
      const at = upperBound(group.times, t);
      group.times.splice(at, 0, t);
      this.numberFields.forEach((fieldIndex, j) =>
        group.columns[j].splice(at, 0, columns[fieldIndex][row]),
      );
    }
    if (t > this.newestTime) this.newestTime = t;
  }

  trim() {
    const oldest = this.newestTime - this.maxAgeMs;
    for (const group of this.groups.values()) {
      let drop = 0;
      while (drop < group.times.length && group.times[drop] < oldest) drop++;
      drop = Math.max(drop, group.times.length - this.maxPoints);
      if (drop > 0) {
        group.times.splice(0, drop);
        for (const column of group.columns) column.splice(0, drop);
      }
      // A label set with no row left in the window leaves the chart.
      if (group.times.length === 0) this.groups.delete(group.key);
    }
  }

  // Number of rows in the window, over all label sets.
  pointCount() {
    let n = 0;
    for (const group of this.groups.values()) n += group.times.length;
    return n;
  }

  seriesCount() {
    return this.fields === null ? 0 : this.groups.size * this.numberFields.length;
  }

  labelSetKeys() {
    return [...this.groups.keys()].join('\u0001');
  }

  labelSetCount() {
    return this.groups.size;
  }

  // The series, label set by label set, field by field:
  // [{key, name, field, labels}] where name is what a legend shows.
  series() {
    const out = [];
    if (this.fields === null) return out;
    for (const group of this.groups.values()) {
      for (const fieldIndex of this.numberFields) {
        const field = this.fields[fieldIndex];
        const labels = [formatLabels(field.labels), group.labelText].filter((s) => s).join(' ');
        const base = fieldDisplayName(field);
        out.push({
          key: `${group.key}\u0000${field.name}`,
          name: labels ? `${base} ${labels}` : base,
          field: field.name,
          labels: group.key,
        });
      }
    }
    return out;
  }

  // Plot-ready columns: [times(ms), ...one array per series()], all of the
  // same length, times sorted and unique. Values in uPlot's terms: null is a
  // gap (a null value, a break row; NaN, ±Infinity and undefined values
  // become null too), undefined is "no row at this time" in a series whose
  // label set has no row there, which uPlot draws across.
  toColumns() {
    const groups = [...this.groups.values()];
    const plotValue = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    if (groups.length === 1) {
      const g = groups[0];
      return [g.times.slice(), ...g.columns.map((c) => c.map(plotValue))];
    }
    const all = [];
    for (const g of groups) for (const t of g.times) all.push(t);
    all.sort((a, b) => a - b);
    const xs = [];
    for (const t of all) if (xs.length === 0 || xs[xs.length - 1] !== t) xs.push(t);
    const out = [xs];
    for (const g of groups) {
      const cols = g.columns.map(() => new Array(xs.length).fill(undefined));
      let x = 0;
      for (let i = 0; i < g.times.length; i++) {
        while (xs[x] !== g.times[i]) x++;
        // Duplicate times inside one label set: the later row wins.
        g.columns.forEach((c, j) => {
          cols[j][x] = plotValue(c[i]);
        });
      }
      out.push(...cols);
    }
    return out;
  }
}
