// One panel: a target and a live uPlot chart of it. The target is a channel
// (the channel form), or a data source query (the query form: data source,
// queryType, JSON fields; query.js) that runs over the panel's window and,
// when a returned frame names a channel in meta.channel, goes on with that
// channel's live rows after the queried history (Grafana's flow).
//
// The panel feeds every message of its channel into a StreamFrame
// (frames.js, through query.js's HistoryMerge, which starts the frame with
// the history) and redraws at most every RENDER_INTERVAL_MS. What it plots
// is also written on its element for tests and tools:
//   data-target-kind (none | channel | query), data-channel (the channel
//   subscribed: the target, or the query's meta.channel), data-state (idle |
//   subscribing | live | refused | error | querying | queried),
//   data-points (rows in the window), data-rows-total (rows received),
//   data-packets, data-series-count, data-label-sets, data-series (JSON list
//   of legend names), data-first-time (ms of the first row in the window),
//   data-error-code and data-error; for a query also data-query-state
//   (running | done | error), data-query-runs (answers applied),
//   data-query-from / data-query-to (ms, of the last answer applied) and
//   data-history-points (rows of history in it).
// The legend is uPlot's own (.u-legend .u-label).
//
// Browser main thread only. The panel owns its element and its uPlot; the
// LiveConnection is shared and outlives it.

import uPlot from 'uplot';

import { toWireChannel } from './channels.js';
import {
  HistoryMerge,
  buildQueryRequest,
  formatQueryTarget,
  makeQuery,
  parseTarget,
  queryFields,
  readQueryResponse,
} from './query.js';

const RENDER_INTERVAL_MS = 100;
const CHART_HEIGHT = 260;
const PALETTE = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#705da0',
  '#37872d',
  '#fade2a',
];

// Subscription codes the host uses when it refuses a channel (Grafana's
// HTTP-like codes), and what the panel says about them.
const REFUSAL_WORDS = { 400: 'invalid channel', 403: 'forbidden', 404: 'not found' };
const QUERY_PATH = '/api/ds/query';
const QUERY_TIMEOUT_MS = 10_000;

function element(tag, className, attrs = {}) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export class Panel {
  // live: LiveConnection; options: {target (channel or "query:{...}" text),
  // datasources ([{uid, name, type}] from GET /api/datasources), windowMs,
  // maxPoints, onTargetChange(panel), onRemove(panel), onError(panel, message)}.
  constructor(live, options) {
    this.live = live;
    this.options = options;
    this.target = ''; // what the URL keeps: a channel or a query target text
    this.query = null; // the query object when the target is a query
    this.channel = '';
    this.stopWatching = null;
    this.queryAbort = null;
    this.queryRuns = 0;
    this.plot = null;
    this.plotVersion = -1;
    this.renderTimer = null;
    this.lastError = '';
    this.subscribedBefore = false; // subscribed at least once to this channel
    this.subscriptionLost = false; // and not subscribed since it was lost
    this.merge = this.newMerge();
    this.build();
    this.setTarget(options.target);
  }

  // The frame plotted: the queried history (if any) and the live rows.
  get frame() {
    return this.merge.frame;
  }

  newMerge() {
    return new HistoryMerge({ maxAgeMs: this.options.windowMs, maxPoints: this.options.maxPoints });
  }

  build() {
    this.el = element('section', 'panel', { 'data-testid': 'panel' });
    const header = element('header', 'panel-header');
    this.modeSelect = element('select', 'target-mode', { 'aria-label': 'Target', 'data-testid': 'target-mode' });
    for (const [value, text] of [
      ['channel', 'Channel'],
      ['query', 'Query'],
    ]) {
      const option = element('option', '', { value });
      option.textContent = text;
      this.modeSelect.append(option);
    }
    this.modeSelect.addEventListener('change', () => this.showMode(this.modeSelect.value));
    this.form = element('form', 'channel-form');
    this.input = element('input', 'channel-input', {
      list: 'channel-options',
      placeholder: 'ds/testdata/random-20Hz-stream',
      'aria-label': 'Channel',
      spellcheck: 'false',
      autocomplete: 'off',
    });
    const apply = element('button', 'channel-apply', { type: 'submit' });
    apply.textContent = 'Show';
    this.form.append(this.input, apply);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.setTarget(this.input.value);
      this.options.onTargetChange?.(this);
    });
    this.buildQueryForm();
    this.badge = element('span', 'sub-state', { 'data-testid': 'sub-state' });
    const remove = element('button', 'panel-remove', { type: 'button', title: 'Remove panel' });
    remove.textContent = '×';
    remove.addEventListener('click', () => this.options.onRemove?.(this));
    header.append(this.modeSelect, this.form, this.badge, remove);
    this.errorText = element('div', 'channel-error', { 'data-testid': 'channel-error', role: 'alert' });
    this.chart = element('div', 'chart');
    this.placeholder = element('div', 'chart-placeholder');
    this.chart.append(this.placeholder);
    this.stats = element('footer', 'panel-stats');
    this.el.append(header, this.queryForm, this.errorText, this.chart, this.stats);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.chart);
    this.updateAttributes();
  }

  // The query form: a data source (GET /api/datasources), a queryType and
  // the other fields of the query as JSON. Shown in query mode only.
  buildQueryForm() {
    this.queryForm = element('form', 'query-form', { 'data-testid': 'query-form' });
    this.dsSelect = element('select', 'query-datasource', { 'aria-label': 'Data source' });
    this.fillDatasources(this.options.datasources || []);
    this.queryTypeInput = element('input', 'query-type', {
      placeholder: 'queryType',
      'aria-label': 'Query type',
      spellcheck: 'false',
    });
    this.fieldsInput = element('textarea', 'query-fields', {
      rows: '1',
      placeholder: '{"path": "random-20Hz-stream"}',
      'aria-label': 'Query fields (JSON)',
      spellcheck: 'false',
    });
    const run = element('button', 'query-run', { type: 'submit' });
    run.textContent = 'Run';
    this.queryForm.append(this.dsSelect, this.queryTypeInput, this.fieldsInput, run);
    this.queryForm.addEventListener('submit', (event) => {
      event.preventDefault();
      let query;
      try {
        query = makeQuery(this.dsSelect.value, this.queryTypeInput.value, this.fieldsInput.value);
      } catch (err) {
        this.showError({ code: 0, message: err.message });
        return;
      }
      this.setQuery(query);
      this.options.onTargetChange?.(this);
    });
    this.queryForm.hidden = true;
  }

  // Data source options: [{uid, name}]; the current query's uid stays
  // selectable even when the host does not list it.
  fillDatasources(datasources) {
    const current = this.query?.datasource?.uid ?? this.dsSelect.value;
    const list = datasources.filter((ds) => ds && typeof ds.uid === 'string');
    if (current && !list.some((ds) => ds.uid === current)) list.push({ uid: current, name: current });
    this.dsSelect.replaceChildren(
      ...list.map((ds) => {
        const option = element('option', '', { value: ds.uid });
        option.textContent = ds.name && ds.name !== ds.uid ? `${ds.name} (${ds.uid})` : ds.uid;
        return option;
      }),
    );
    if (current) this.dsSelect.value = current;
  }

  showMode(mode) {
    this.modeSelect.value = mode;
    this.form.hidden = mode !== 'channel';
    this.queryForm.hidden = mode !== 'query';
  }

  // Opens a target text: a channel, a "query:{...}" query, or '' (idle).
  setTarget(text) {
    const target = parseTarget(text);
    if (target.kind === 'query') {
      this.setQuery(target.query);
      return;
    }
    this.showMode('channel');
    if (target.kind === 'invalid') {
      this.setChannel('');
      this.input.value = String(text).trim();
      this.showError({ code: 0, message: target.error });
      return;
    }
    this.setChannel(target.kind === 'channel' ? target.channel : '');
  }

  setChannel(text) {
    const channel = String(text ?? '').trim();
    this.input.value = channel;
    this.el.dataset.targetKind = channel === '' ? 'none' : 'channel';
    if (this.query === null && channel === this.channel && this.stopWatching && this.el.dataset.state === 'live') {
      return;
    }
    this.stopQuery();
    this.query = null;
    this.resetQueryAttributes();
    this.target = channel;
    this.merge = this.newMerge();
    this.lastError = '';
    this.clearError();
    this.destroyPlot();
    // Picking the same channel again asks again (it may have been refused).
    this.stopWatchingChannel();
    this.watchChannel(channel);
    if (channel === '') this.setState('idle', { code: 0, message: '' });
  }

  setQuery(query) {
    this.stopQuery();
    this.stopWatchingChannel();
    this.query = query;
    this.target = formatQueryTarget(query);
    this.el.dataset.targetKind = 'query';
    this.showMode('query');
    this.fillDatasources(this.options.datasources || []);
    this.dsSelect.value = query.datasource.uid;
    this.queryTypeInput.value = query.queryType ?? '';
    const fields = queryFields(query);
    this.fieldsInput.value = Object.keys(fields).length === 0 ? '' : JSON.stringify(fields);
    this.channel = '';
    this.el.dataset.channel = '';
    this.merge = this.newMerge();
    this.resetQueryAttributes();
    this.el.dataset.queryRuns = '0';
    this.lastError = '';
    this.clearError();
    this.destroyPlot();
    this.setState('querying', { code: 0, message: '' });
    this.runQuery();
  }

  // Subscribes to `channel` ('' for none) unless already watching it.
  watchChannel(channel) {
    if (channel === this.channel && this.stopWatching) return;
    this.stopWatchingChannel();
    this.channel = channel;
    this.el.dataset.channel = channel;
    this.subscribedBefore = false;
    this.subscriptionLost = false;
    if (channel === '') return;
    this.setState('subscribing', { code: 0, message: '' });
    this.stopWatching = this.live.watch(toWireChannel(channel), {
      onState: (state, info) => this.onSubscriptionState(state, info),
      onMessage: (data) => this.onMessage(data),
    });
  }

  // Runs the panel's query over its window (now - windowMs .. now) and puts
  // the answer in place; the live rows of a channel already watched go on
  // meanwhile and are appended after the new history.
  async runQuery() {
    const query = this.query;
    const merge = this.merge;
    this.stopQuery();
    const abort = new AbortController();
    this.queryAbort = abort;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, QUERY_TIMEOUT_MS);
    const run = merge.begin();
    const body = buildQueryRequest(query, {
      windowMs: this.options.windowMs,
      maxPoints: this.options.maxPoints,
      nowMs: Date.now(),
    });
    this.el.dataset.queryState = 'running';
    let answer;
    try {
      const response = await fetch(QUERY_PATH, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      const json = await response.json().catch(() => null);
      answer = readQueryResponse(json, response.status);
    } catch (err) {
      // Aborted by a later run, a new target or destroy(): nothing to say.
      if (abort.signal.aborted && !timedOut) return;
      answer = { frames: [], channel: '', error: `query: ${timedOut ? 'timed out' : err.message}` };
    } finally {
      clearTimeout(timer);
    }
    if (this.queryAbort === abort) this.queryAbort = null;
    // Stale: the target changed or the panel is gone (a later run of the
    // same query is caught by finish()).
    if (this.query !== query || this.merge !== merge) return;
    if (!merge.finish(run, answer.frames)) return;
    this.queryRuns++;
    const ds = this.el.dataset;
    ds.queryRuns = String(this.queryRuns);
    ds.queryFrom = body.from;
    ds.queryTo = body.to;
    ds.historyPoints = String(merge.historyRows);
    ds.queryState = answer.error ? 'error' : 'done';
    this.destroyPlot();
    if (answer.error) this.showError({ code: 0, message: answer.error });
    else if (this.el.dataset.state !== 'refused') this.clearError();
    this.watchChannel(answer.channel);
    if (answer.channel === '') this.setState(answer.error ? 'error' : 'queried', { code: 0, message: '' });
    this.updateAttributes();
    this.render();
  }

  // A new target: no answer of a query applied yet.
  resetQueryAttributes() {
    this.queryRuns = 0;
    for (const key of ['queryRuns', 'queryState', 'queryFrom', 'queryTo', 'historyPoints']) {
      delete this.el.dataset[key];
    }
  }

  stopQuery() {
    if (this.queryAbort) {
      const abort = this.queryAbort;
      this.queryAbort = null;
      abort.abort();
    }
  }

  setWindow(windowMs, maxPoints) {
    this.options.windowMs = windowMs;
    this.options.maxPoints = maxPoints;
    this.merge.setWindow(windowMs, maxPoints);
    // A query's history follows the range: run it again over the new one.
    if (this.query !== null) this.runQuery();
    this.scheduleRender();
  }

  stopWatchingChannel() {
    if (this.stopWatching) {
      const stop = this.stopWatching;
      this.stopWatching = null;
      stop();
    }
  }

  onSubscriptionState(state, info) {
    if (state === 'subscribed') {
      // Back after a loss (reconnect, resubscribe): what comes next does not
      // continue the old line, the chart shows a gap over the outage. The
      // subscribe reply's data is delivered after this state.
      if (this.subscriptionLost) this.frame.markBreak();
      this.subscribedBefore = true;
      this.subscriptionLost = false;
      this.setState('live', info);
    } else if (state === 'subscribing') {
      // code 1: the connection is gone; centrifuge resubscribes when it is back.
      if (this.subscribedBefore) this.subscriptionLost = true;
      this.setState('subscribing', info);
    } else if (state === 'unsubscribed') {
      if (this.subscribedBefore) this.subscriptionLost = true;
      this.setState(info.code >= 400 ? 'refused' : 'idle', info);
    } else if (state === 'error') {
      this.showError(info);
    }
  }

  onMessage(data) {
    const result = this.merge.live(data);
    if (result.error) this.showError({ code: 0, message: result.error });
    this.updateAttributes();
    this.scheduleRender();
  }

  setState(state, info) {
    this.el.dataset.state = state;
    let text = state;
    if (state === 'live') {
      text = 'live';
      this.clearError();
    } else if (state === 'subscribing') {
      text = info && info.code === 1 ? 'waiting for connection' : 'subscribing';
    } else if (state === 'refused') {
      const word = REFUSAL_WORDS[info.code] || 'refused';
      text = `refused: ${word}`;
      this.showError(info);
    } else if (state === 'idle') {
      text = this.channel ? 'unsubscribed' : 'no channel';
    } else if (state === 'querying') {
      text = 'querying';
    } else if (state === 'queried') {
      text = 'query';
    }
    this.badge.textContent = text;
    this.badge.dataset.state = state;
    this.updatePlaceholder();
  }

  showError(info) {
    const message = info.code ? `${info.code}: ${info.message}` : String(info.message || '');
    this.lastError = message;
    this.errorText.textContent = message;
    this.el.dataset.error = message;
    this.el.dataset.errorCode = String(info.code || 0);
    this.options.onError?.(this, message);
  }

  clearError() {
    this.errorText.textContent = '';
    delete this.el.dataset.error;
    delete this.el.dataset.errorCode;
  }

  updateAttributes() {
    const ds = this.el.dataset;
    ds.points = String(this.frame.pointCount());
    ds.rowsTotal = String(this.frame.totalRows);
    ds.packets = String(this.frame.packets);
    ds.seriesCount = String(this.frame.seriesCount());
    ds.labelSets = String(this.frame.labelSetCount());
    const first = this.merge.firstTime();
    ds.firstTime = first === null ? '' : String(first);
  }

  // Packets per second since the last call, for the footer.
  sampleRate(elapsedMs) {
    const packets = this.frame.packets;
    const rate = this.lastPackets === undefined ? 0 : ((packets - this.lastPackets) * 1000) / elapsedMs;
    this.lastPackets = packets;
    const points = this.frame.pointCount();
    const series = this.frame.seriesCount();
    this.stats.textContent = `${points} points · ${series} series · ${rate.toFixed(1)} packets/s`;
    this.el.dataset.packetRate = rate.toFixed(1);
  }

  scheduleRender() {
    if (this.renderTimer !== null) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, RENDER_INTERVAL_MS);
  }

  render() {
    // Window trimming also happens without packets (a quiet channel).
    const series = this.frame.series();
    this.el.dataset.series = JSON.stringify(series.map((s) => s.name));
    this.updatePlaceholder();
    if (series.length === 0) {
      this.destroyPlot();
      return;
    }
    const columns = this.frame.toColumns();
    if (this.plot === null || this.plotVersion !== this.frame.version) {
      this.destroyPlot();
      this.createPlot(series, columns);
      this.plotVersion = this.frame.version;
    } else {
      this.plot.setData(columns);
    }
  }

  createPlot(series, columns) {
    const opts = {
      width: Math.max(200, this.chart.clientWidth),
      height: CHART_HEIGHT,
      ms: 1,
      scales: { x: { time: true } },
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { stroke: '#c7d0d9', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' } },
        { stroke: '#c7d0d9', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' } },
      ],
      series: [
        { label: 'Time' },
        ...series.map((s, i) => ({
          label: s.name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          // Null is a gap (a null value, or the break after a lost
          // subscription); the cells where another label set has a row
          // are undefined, which uPlot draws across.
          spanGaps: false,
        })),
      ],
    };
    this.plot = new uPlot(opts, columns, this.chart);
  }

  destroyPlot() {
    if (this.plot !== null) {
      this.plot.destroy();
      this.plot = null;
    }
  }

  updatePlaceholder() {
    const state = this.el.dataset.state;
    let text = '';
    if (this.plot === null || this.frame.seriesCount() === 0) {
      if (state === 'idle' && !this.channel) text = 'Pick a channel or a query above.';
      else if (state === 'querying') text = 'Querying…';
      else if (state === 'queried') text = 'The query returned no rows.';
      else if (state === 'refused') text = 'The host refused this channel.';
      else if (state === 'subscribing') text = 'Subscribing…';
      else if (state === 'live') text = 'Waiting for data…';
    }
    this.placeholder.textContent = text;
    this.placeholder.hidden = text === '';
  }

  resize() {
    if (this.plot !== null) {
      this.plot.setSize({ width: Math.max(200, this.chart.clientWidth), height: CHART_HEIGHT });
    }
  }

  destroy() {
    this.stopQuery();
    this.query = null;
    this.stopWatchingChannel();
    if (this.renderTimer !== null) clearTimeout(this.renderTimer);
    this.resizeObserver.disconnect();
    this.destroyPlot();
    this.el.remove();
  }
}
