// Unit tests of the frame → series logic (src/frames.js): node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { StreamFrame, formatLabels } from '../src/frames.js';

const testdataSchema = {
  schema: {
    name: 'testdata',
    fields: [
      { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
      { name: 'Value', type: 'number', typeInfo: { frame: 'float64' } },
      { name: 'Min', type: 'number', typeInfo: { frame: 'float64' } },
      { name: 'Max', type: 'number', typeInfo: { frame: 'float64' } },
    ],
  },
};

const labeledSchema = {
  schema: {
    name: 'labeled',
    fields: [
      { name: 'labels', type: 'string' },
      { name: 'Time', type: 'time' },
      { name: 'Value', type: 'number' },
    ],
  },
};

function packet(t, v) {
  return { data: { values: [[t], [v], [v - 1], [v + 1]] } };
}

test('schema first gives one series per number field and no points', () => {
  const frame = new StreamFrame();
  const result = frame.push(testdataSchema);
  assert.equal(result.error, null);
  assert.equal(result.schemaChanged, true);
  assert.deepEqual(
    frame.series().map((s) => s.name),
    [],
    'no label set has rows yet, so no series is drawn',
  );
  assert.equal(frame.pointCount(), 0);
  frame.push(packet(1000, 5));
  assert.deepEqual(
    frame.series().map((s) => s.name),
    ['Value', 'Min', 'Max'],
  );
  assert.equal(frame.seriesCount(), 3);
});

test('data-only packets append rows after the schema', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  for (let i = 0; i < 5; i++) {
    const result = frame.push(packet(1000 + i * 50, i));
    assert.equal(result.error, null);
    assert.equal(result.rows, 1);
  }
  assert.equal(frame.pointCount(), 5);
  assert.equal(frame.totalRows, 5);
  const [xs, value, min, max] = frame.toColumns();
  assert.deepEqual(xs, [1000, 1050, 1100, 1150, 1200]);
  assert.deepEqual(value, [0, 1, 2, 3, 4]);
  assert.deepEqual(min, [-1, 0, 1, 2, 3]);
  assert.deepEqual(max, [1, 2, 3, 4, 5]);
});

test('a schema and data in one message (subscribe reply) are both applied', () => {
  const frame = new StreamFrame();
  frame.push({ ...testdataSchema, data: { values: [[1, 2], [3, 4], [5, 6], [7, 8]] } });
  assert.equal(frame.pointCount(), 2);
  assert.deepEqual(frame.toColumns()[1], [3, 4]);
});

test('the same schema again keeps the rows; a different one starts over', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push(packet(1000, 1));
  assert.equal(frame.push(testdataSchema).schemaChanged, false);
  assert.equal(frame.pointCount(), 1);
  const changed = frame.push({
    schema: { fields: [{ name: 'Time', type: 'time' }, { name: 'Temp', type: 'number' }] },
  });
  assert.equal(changed.schemaChanged, true);
  assert.equal(frame.pointCount(), 0);
  frame.push({ data: { values: [[2000], [21.5]] } });
  assert.deepEqual(
    frame.series().map((s) => s.name),
    ['Temp'],
  );
});

test('a packet whose columns do not match the schema is refused', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  const result = frame.push({ data: { values: [[1000], [1]] } });
  assert.match(result.error, /mismatch/);
  assert.equal(frame.pointCount(), 0);
  const ragged = frame.push({ data: { values: [[1000, 1001], [1], [1], [1]] } });
  assert.match(ragged.error, /mismatch/);
  assert.equal(frame.pointCount(), 0);
});

test('without a schema the fields are guessed from the values', () => {
  const frame = new StreamFrame();
  const result = frame.push({ data: { values: [[1000, 2000], [1, 2]] } });
  assert.equal(result.error, null);
  assert.equal(frame.seriesCount(), 1);
  assert.deepEqual(frame.toColumns(), [
    [1000, 2000],
    [1, 2],
  ]);
  // A real schema that arrives later replaces the guess.
  assert.equal(
    frame.push({
      schema: { fields: [{ name: 'Time', type: 'time' }, { name: 'Value', type: 'number' }] },
    }).schemaChanged,
    true,
  );
});

test('labeled frames get one series per label set', () => {
  const frame = new StreamFrame();
  frame.push(labeledSchema);
  frame.push({
    data: {
      values: [
        ['s=A,s=p1,x=X', 's=B,s=p0,x=X'],
        [1000, 1000],
        [1, 11],
      ],
    },
  });
  frame.push({
    data: {
      values: [
        ['s=A,s=p1,x=X', 's=B,s=p0,x=X'],
        [1200, 1200],
        [2, 12],
      ],
    },
  });
  frame.push({
    data: {
      values: [
        ['s=A,s=p2,x=X', 's=B,s=p0,x=X'],
        [1400, 1400],
        [3, 13],
      ],
    },
  });
  assert.equal(frame.labelSetCount(), 3);
  assert.equal(frame.seriesCount(), 3);
  assert.deepEqual(
    frame.series().map((s) => s.name),
    ['Value {s=A, s=p1, x=X}', 'Value {s=B, s=p0, x=X}', 'Value {s=A, s=p2, x=X}'],
  );
  assert.equal(frame.pointCount(), 6);
  const [xs, a1, b0, a2] = frame.toColumns();
  assert.deepEqual(xs, [1000, 1200, 1400]);
  // undefined: no row of that label set at that time (uPlot draws across);
  // null would be a gap.
  assert.deepEqual(a1, [1, 2, undefined]);
  assert.deepEqual(b0, [11, 12, 13]);
  assert.deepEqual(a2, [undefined, undefined, 3]);
});

test('labels on schema fields show in the series name', () => {
  const frame = new StreamFrame();
  frame.push({
    schema: {
      fields: [
        { name: 'Time', type: 'time' },
        { name: 'cpu', type: 'number', labels: { host: 'a' } },
        { name: 'cpu', type: 'number', labels: { host: 'b' }, config: { displayName: 'CPU b' } },
      ],
    },
    data: { values: [[1], [2], [3]] },
  });
  assert.deepEqual(
    frame.series().map((s) => s.name),
    ['cpu {host=a}', 'CPU b {host=b}'],
  );
  assert.equal(formatLabels('{a=1, b=2}'), '{a=1, b=2}');
  assert.equal(formatLabels(''), '');
});

test('nulls stay gaps and entities restore NaN, Inf, -Inf and undefined', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push({
    data: {
      values: [
        [1000, 1050, 1100, 1150, 1200],
        [null, 0, 0, 0, 7],
        [1, 2, 3, 4, 5],
        [1, 2, 3, 4, 5],
      ],
      entities: [null, { NaN: [1], Inf: [2], NegInf: [3] }, { Undefined: [0] }, null],
    },
  });
  const group = [...frame.groups.values()][0];
  assert.equal(group.columns[0][0], null);
  assert.ok(Number.isNaN(group.columns[0][1]));
  assert.equal(group.columns[0][2], Infinity);
  assert.equal(group.columns[0][3], -Infinity);
  assert.equal(group.columns[1][0], undefined);
  const [, value, min] = frame.toColumns();
  assert.deepEqual(value, [null, null, null, null, 7], 'non-finite values are not plotted');
  assert.deepEqual(min, [null, 2, 3, 4, 5]);
});

test('nanos add sub-millisecond time', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push({ data: { values: [[1000], [1], [1], [1]], nanos: [[500000], null, null, null] } });
  assert.deepEqual(frame.toColumns()[0], [1000.5]);
});

test('rows older than the window are dropped', () => {
  const frame = new StreamFrame({ maxAgeMs: 1000, maxPoints: 1000 });
  frame.push(testdataSchema);
  for (let t = 0; t <= 3000; t += 100) frame.push(packet(t, t));
  const [xs] = frame.toColumns();
  assert.equal(xs[0], 2000);
  assert.equal(xs[xs.length - 1], 3000);
  assert.equal(frame.pointCount(), 11);
  assert.equal(frame.totalRows, 31);
});

test('at most maxPoints rows are kept per label set', () => {
  const frame = new StreamFrame({ maxAgeMs: 1e12, maxPoints: 10 });
  frame.push(labeledSchema);
  for (let t = 0; t < 50; t++) {
    frame.push({ data: { values: [['s=A', 's=B'], [t, t], [t, -t]] } });
  }
  assert.equal(frame.labelSetCount(), 2);
  assert.equal(frame.pointCount(), 20);
  const [xs, a, b] = frame.toColumns();
  assert.deepEqual(xs, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  assert.equal(a[0], 40);
  assert.equal(b[9], -49);
});

test('label sets that leave the window leave the series list', () => {
  const frame = new StreamFrame({ maxAgeMs: 500, maxPoints: 1000 });
  frame.push(labeledSchema);
  frame.push({ data: { values: [['s=old'], [0], [1]] } });
  const versionWithOld = frame.version;
  frame.push({ data: { values: [['s=new'], [1000], [2]] } });
  assert.deepEqual(
    frame.series().map((s) => s.name),
    ['Value {s=new}'],
  );
  assert.ok(frame.version > versionWithOld);
});

test('rows out of time order are inserted in order', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push(packet(1000, 1));
  frame.push(packet(3000, 3));
  frame.push(packet(2000, 2));
  assert.deepEqual(frame.toColumns().slice(0, 2), [
    [1000, 2000, 3000],
    [1, 2, 3],
  ]);
});

// Indexes of the rows where every value column is null.
function nullRows(columns) {
  const [xs, ...values] = columns;
  const rows = [];
  for (let i = 0; i < xs.length; i++) if (values.every((c) => c[i] === null)) rows.push(i);
  return rows;
}

test('a break after a lost subscription puts one row of nulls between old and new rows', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  for (const t of [1000, 1050, 1100]) frame.push(packet(t, t / 50));
  frame.markBreak();
  // The subscribe reply after the reconnect: the same schema again, then rows.
  assert.equal(frame.push(testdataSchema).schemaChanged, false);
  for (const t of [9000, 9050]) frame.push(packet(t, t / 50));
  const columns = frame.toColumns();
  const [xs, value, min, max] = columns;
  assert.deepEqual(nullRows(columns), [3], 'exactly one break, after the old rows');
  assert.deepEqual(xs.slice(0, 3), [1000, 1050, 1100]);
  assert.ok(xs[3] > 1100 && xs[3] < 9000, `break at ${xs[3]}, between 1100 and 9000`);
  assert.deepEqual(xs.slice(4), [9000, 9050]);
  assert.deepEqual(value, [20, 21, 22, null, 180, 181]);
  assert.deepEqual(min, [19, 20, 21, null, 179, 180]);
  assert.deepEqual(max, [21, 22, 23, null, 181, 182]);
  // The break is a row of the window, not a received row.
  assert.equal(frame.pointCount(), 6);
  assert.equal(frame.totalRows, 5);
  // Later packets continue the new run without another break.
  frame.push(packet(9100, 182));
  assert.deepEqual(nullRows(frame.toColumns()), [3]);
});

test('without a lost subscription no break appears, even across a long pause', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  for (const t of [1000, 1050, 1100, 60_000, 60_050]) frame.push(packet(t, t / 50));
  frame.push({ ...testdataSchema, data: { values: [[60_100], [1], [0], [2]] } });
  const columns = frame.toColumns();
  assert.deepEqual(nullRows(columns), []);
  assert.equal(columns[0].length, 6);
  assert.ok(columns.slice(1).every((c) => c.every((v) => v !== null)));
});

test('a break before any row (the first subscription) adds nothing', () => {
  const frame = new StreamFrame();
  frame.markBreak();
  frame.push(testdataSchema);
  frame.markBreak();
  frame.push(packet(1000, 1));
  frame.push(packet(1050, 2));
  assert.deepEqual(nullRows(frame.toColumns()), []);
  assert.equal(frame.pointCount(), 2);
});

test('a break waits for new rows and is dropped when the new rows are not newer', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push(packet(1000, 1));
  frame.push(packet(2000, 2));
  frame.markBreak();
  frame.push(testdataSchema); // a reply with no rows: nothing to break yet
  assert.deepEqual(nullRows(frame.toColumns()), []);
  frame.push(packet(1500, 5)); // overlaps the old rows: no outage to show
  frame.push(packet(3000, 3));
  assert.deepEqual(nullRows(frame.toColumns()), []);
  assert.deepEqual(frame.toColumns()[0], [1000, 1500, 2000, 3000]);
});

test('a break row rolls out of the window like any row', () => {
  const frame = new StreamFrame({ maxAgeMs: 1e12, maxPoints: 5 });
  frame.push(testdataSchema);
  frame.push(packet(1000, 1));
  frame.push(packet(2000, 2));
  frame.markBreak();
  frame.push(packet(4000, 4));
  assert.deepEqual(frame.toColumns()[0], [1000, 2000, 3000, 4000]);
  frame.push(packet(5000, 5));
  frame.push(packet(6000, 6));
  // Five rows: the break counts against maxPoints.
  assert.deepEqual(frame.toColumns()[0], [2000, 3000, 4000, 5000, 6000]);
  assert.deepEqual(nullRows(frame.toColumns()), [1]);
  frame.push(packet(7000, 7));
  frame.push(packet(8000, 8));
  assert.deepEqual(frame.toColumns()[0], [4000, 5000, 6000, 7000, 8000]);
  assert.deepEqual(nullRows(frame.toColumns()), [], 'the break has rolled out');

  const byAge = new StreamFrame({ maxAgeMs: 1000, maxPoints: 1000 });
  byAge.push(testdataSchema);
  byAge.push(packet(0, 0));
  byAge.markBreak();
  byAge.push(packet(1000, 1));
  assert.deepEqual(byAge.toColumns()[0], [0, 500, 1000]);
  byAge.push(packet(1600, 2));
  assert.deepEqual(byAge.toColumns()[0], [1000, 1600], 'the break is older than the window');
});

test('a labeled frame breaks each label set that comes back, with null, not undefined', () => {
  const frame = new StreamFrame();
  frame.push(labeledSchema);
  frame.push({ data: { values: [['s=A', 's=B'], [1000, 1000], [1, 11]] } });
  frame.push({ data: { values: [['s=A', 's=B'], [1100, 1100], [2, 12]] } });
  frame.markBreak();
  frame.push({ data: { values: [['s=A'], [5000], [3]] } });
  frame.push({ data: { values: [['s=A', 's=B'], [5100, 6000], [4, 14]] } });
  const [xs, a, b] = frame.toColumns();
  assert.deepEqual(xs, [1000, 1100, 3050, 3550, 5000, 5100, 6000]);
  assert.deepEqual(a, [1, 2, null, undefined, 3, 4, undefined]);
  assert.deepEqual(b, [11, 12, undefined, null, undefined, undefined, 14]);
  assert.equal(a.filter((v) => v === null).length, 1);
  assert.equal(b.filter((v) => v === null).length, 1);
});

test('a break before a new layout adds nothing (the rows start over)', () => {
  const frame = new StreamFrame();
  frame.push(testdataSchema);
  frame.push(packet(1000, 1));
  frame.markBreak();
  frame.push({
    schema: { fields: [{ name: 'Time', type: 'time' }, { name: 'Temp', type: 'number' }] },
    data: { values: [[5000, 5100], [20, 21]] },
  });
  assert.deepEqual(frame.toColumns(), [
    [5000, 5100],
    [20, 21],
  ]);
});

test('garbage is refused without throwing', () => {
  const frame = new StreamFrame();
  assert.ok(frame.push(null).error);
  assert.ok(frame.push('x').error);
  assert.equal(frame.push({}).error, null);
  assert.equal(frame.pointCount(), 0);
});
