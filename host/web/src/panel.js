// One panel: a channel picker and a live uPlot chart of that channel.
//
// The panel feeds every message of its channel into a StreamFrame
// (frames.js) and redraws at most every RENDER_INTERVAL_MS. What it plots is
// also written on its element for tests and tools:
//   data-channel, data-state (idle | subscribing | live | refused | error),
//   data-points (rows in the window), data-rows-total (rows received),
//   data-packets, data-series-count, data-label-sets, data-series (JSON list
//   of legend names), data-error-code and data-error.
// The legend is uPlot's own (.u-legend .u-label).
//
// Browser main thread only. The panel owns its element and its uPlot; the
// LiveConnection is shared and outlives it.

import uPlot from 'uplot';

import { toWireChannel } from './channels.js';
import { StreamFrame } from './frames.js';

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

function element(tag, className, attrs = {}) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export class Panel {
  // live: LiveConnection; options: {channel, windowMs, maxPoints,
  // onChannelChange(panel), onRemove(panel)}.
  constructor(live, options) {
    this.live = live;
    this.options = options;
    this.channel = '';
    this.stopWatching = null;
    this.plot = null;
    this.plotVersion = -1;
    this.renderTimer = null;
    this.lastError = '';
    this.subscribedBefore = false; // subscribed at least once to this channel
    this.subscriptionLost = false; // and not subscribed since it was lost
    this.frame = new StreamFrame({ maxAgeMs: options.windowMs, maxPoints: options.maxPoints });
    this.build();
    if (options.channel) this.setChannel(options.channel);
    else this.setState('idle', { code: 0, message: '' });
  }

  build() {
    this.el = element('section', 'panel', { 'data-testid': 'panel' });
    const header = element('header', 'panel-header');
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
      this.setChannel(this.input.value);
      this.options.onChannelChange?.(this);
    });
    this.badge = element('span', 'sub-state', { 'data-testid': 'sub-state' });
    const remove = element('button', 'panel-remove', { type: 'button', title: 'Remove panel' });
    remove.textContent = '×';
    remove.addEventListener('click', () => this.options.onRemove?.(this));
    header.append(this.form, this.badge, remove);
    this.errorText = element('div', 'channel-error', { 'data-testid': 'channel-error', role: 'alert' });
    this.chart = element('div', 'chart');
    this.placeholder = element('div', 'chart-placeholder');
    this.chart.append(this.placeholder);
    this.stats = element('footer', 'panel-stats');
    this.el.append(header, this.errorText, this.chart, this.stats);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.chart);
    this.updateAttributes();
  }

  setChannel(text) {
    const channel = String(text ?? '').trim();
    this.input.value = channel;
    if (channel === this.channel && this.stopWatching && this.el.dataset.state === 'live') return;
    this.stopWatchingChannel();
    this.channel = channel;
    this.el.dataset.channel = channel;
    this.frame = new StreamFrame({
      maxAgeMs: this.options.windowMs,
      maxPoints: this.options.maxPoints,
    });
    this.lastError = '';
    this.subscribedBefore = false;
    this.subscriptionLost = false;
    this.destroyPlot();
    if (channel === '') {
      this.setState('idle', { code: 0, message: '' });
      return;
    }
    this.setState('subscribing', { code: 0, message: '' });
    this.stopWatching = this.live.watch(toWireChannel(channel), {
      onState: (state, info) => this.onSubscriptionState(state, info),
      onMessage: (data) => this.onMessage(data),
    });
  }

  setWindow(windowMs, maxPoints) {
    this.options.windowMs = windowMs;
    this.options.maxPoints = maxPoints;
    this.frame.maxAgeMs = windowMs;
    this.frame.maxPoints = maxPoints;
    this.frame.trim();
    this.frame.version++;
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
    const result = this.frame.push(data);
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
      if (state === 'idle' && !this.channel) text = 'Pick a channel above.';
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
    this.stopWatchingChannel();
    if (this.renderTimer !== null) clearTimeout(this.renderTimer);
    this.resizeObserver.disconnect();
    this.destroyPlot();
    this.el.remove();
  }
}
