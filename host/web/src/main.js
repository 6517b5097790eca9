// The page: a status bar, settings, and any number of panels, all fed by one
// LiveConnection. The layout lives in the URL (url-state.js).

import 'uplot/dist/uPlot.min.css';
import './style.css';

import { defaultChannel, pickerChannels, testdataUids } from './channels.js';
import { LiveConnection, liveUrl } from './live.js';
import { Panel } from './panel.js';
import { formatState, parseState } from './url-state.js';

const LIVE_LIST_REFRESH_MS = 10_000;
const RATE_SAMPLE_MS = 1000;
const DATASOURCES_TIMEOUT_MS = 1500;

const state = parseState(window.location.search);
const panels = [];
let uids = [];
let datasources = []; // GET /api/datasources: what a query panel can pick

const statusEl = document.getElementById('status');
const connectionEl = document.getElementById('connection-state');
const rateEl = document.getElementById('packet-rate');
const lastErrorEl = document.getElementById('last-error');
const panelsEl = document.getElementById('panels');
const optionsEl = document.getElementById('channel-options');
const windowInput = document.getElementById('window-seconds');
const pointsInput = document.getElementById('max-points');
const columnsSelect = document.getElementById('columns');

function setLastError(message) {
  lastErrorEl.textContent = message || 'none';
  statusEl.dataset.lastError = message || '';
}

function describeConnection(connectionState, info) {
  if (connectionState === 'connecting' && info.code !== 0) {
    return `reconnecting (${info.message || 'code ' + info.code})`;
  }
  if (connectionState === 'disconnected' && info.code !== 0) {
    return `disconnected (${info.code}: ${info.message})`;
  }
  return connectionState;
}

const live = new LiveConnection(liveUrl(window.location), {
  onConnection: (connectionState, info) => {
    statusEl.dataset.connection = connectionState;
    connectionEl.textContent = describeConnection(connectionState, info);
    if (connectionState !== 'connected' && info.code !== 0) {
      setLastError(`connection: ${info.message || 'code ' + info.code}`);
    }
  },
  onClientError: (err) => setLastError(`${err.code ? err.code + ': ' : ''}${err.message}`),
});

function saveState() {
  const search = formatState({
    panels: panels.map((p) => p.target),
    cols: state.cols,
    windowMs: state.windowMs,
    maxPoints: state.maxPoints,
  });
  if (search !== window.location.search) {
    window.history.replaceState(null, '', `${window.location.pathname}${search}`);
  }
}

function applyColumns() {
  const cols = state.cols > 0 ? state.cols : Math.min(2, Math.max(1, panels.length));
  panelsEl.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
}

function addPanel(target) {
  const panel = new Panel(live, {
    target,
    datasources,
    windowMs: state.windowMs,
    maxPoints: state.maxPoints,
    onTargetChange: () => saveState(),
    onRemove: (p) => {
      panels.splice(panels.indexOf(p), 1);
      p.destroy();
      applyColumns();
      saveState();
    },
    onError: (p, message) => setLastError(`${p.channel || p.target}: ${message}`),
  });
  panels.push(panel);
  panelsEl.append(panel.el);
  applyColumns();
  return panel;
}

function fillPicker(live) {
  optionsEl.replaceChildren(
    ...pickerChannels({ uids, live }).map((channel) => {
      const option = document.createElement('option');
      option.value = channel;
      return option;
    }),
  );
}

async function fetchJson(path, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(path, { signal: controller.signal });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function refreshPicker() {
  fillPicker(await fetchJson('/api/live/list', DATASOURCES_TIMEOUT_MS));
}

function setupSettings() {
  windowInput.value = String(state.windowMs / 1000);
  pointsInput.value = String(state.maxPoints);
  columnsSelect.value = String(state.cols);
  const applyWindow = () => {
    const seconds = Number(windowInput.value);
    const points = Math.floor(Number(pointsInput.value));
    if (!(seconds > 0) || !(points > 0)) return;
    // Enter fires both change and submit: one window, one run of the queries.
    if (seconds * 1000 === state.windowMs && points === state.maxPoints) return;
    state.windowMs = seconds * 1000;
    state.maxPoints = points;
    for (const p of panels) p.setWindow(state.windowMs, state.maxPoints);
    saveState();
  };
  windowInput.addEventListener('change', applyWindow);
  pointsInput.addEventListener('change', applyWindow);
  document.getElementById('settings').addEventListener('submit', (e) => {
    e.preventDefault();
    applyWindow();
  });
  columnsSelect.addEventListener('change', () => {
    state.cols = Number(columnsSelect.value);
    applyColumns();
    saveState();
  });
  document.getElementById('add-panel').addEventListener('click', () => {
    const panel = addPanel('');
    panel.input.focus();
    saveState();
  });
}

function sampleRates() {
  let lastCount = live.publications;
  let lastTime = performance.now();
  setInterval(() => {
    const now = performance.now();
    const elapsed = now - lastTime;
    const rate = ((live.publications - lastCount) * 1000) / elapsed;
    lastCount = live.publications;
    lastTime = now;
    rateEl.textContent = rate.toFixed(1);
    statusEl.dataset.packetRate = rate.toFixed(1);
    for (const p of panels) {
      p.sampleRate(elapsed);
      p.scheduleRender();
    }
  }, RATE_SAMPLE_MS);
}

async function start() {
  setupSettings();
  live.connect();
  // Provisioned testdata data sources, where the host lists them; the live
  // list also names data sources whose streams are running.
  const list = await fetchJson('/api/datasources', DATASOURCES_TIMEOUT_MS);
  datasources = Array.isArray(list) ? list : [];
  uids = testdataUids(list);
  const initial = state.panels ?? [defaultChannel(uids)];
  for (const target of initial) addPanel(target);
  saveState();
  fillPicker(null);
  refreshPicker();
  setInterval(refreshPicker, LIVE_LIST_REFRESH_MS);
  sampleRates();
  document.body.dataset.ready = 'true';
}

window.runnel = { live, panels };
start();
