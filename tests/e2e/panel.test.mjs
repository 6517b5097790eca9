// Issue 4, end to end: the panel page served by the real host, in headless
// Chromium from Debian driven by playwright-core, plotting the real testdata
// plugin's streams. A screenshot goes to $RUNNEL_TEST_OUT (or a temp dir).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { BUILD_DIR, sleep, startHost } from './support/host.mjs';
import { panelData, waitForPanel } from './support/panel-page.mjs';

const DEADLINE_MS = 20_000;
const CHANNEL_20HZ = 'ds/testdata/random-20Hz-stream';
const CHANNEL_LABELED = 'ds/testdata/random-labeled-stream';

function outputDir() {
  const dir = process.env.RUNNEL_TEST_OUT
    ? resolve(process.env.RUNNEL_TEST_OUT)
    : mkdtempSync(join(tmpdir(), 'runnel-e2e-out-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

// What panel `index`'s uPlot plots: [xs, ...one array per series], read
// through the panels the page keeps on window.runnel (main.js). undefined
// (a cell uPlot draws across) comes back as the string 'undefined', null (a
// gap) as null.
async function plotData(page, index) {
  return page.evaluate((i) => {
    const plot = window.runnel.panels[i]?.plot;
    if (!plot) return null;
    return plot.data.map((column) => Array.from(column, (v) => (v === undefined ? 'undefined' : v)));
  }, index);
}

// The chart is drawn by the panel's render timer, after the packet that
// updated the panel's attributes: a test that saw new points in the
// attributes polls the plot itself until accept(columns) holds.
async function waitForPlot(page, index, accept, what, timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  let columns = null;
  while (Date.now() < deadline) {
    columns = await plotData(page, index);
    if (columns && accept(columns)) return columns;
    await sleep(100);
  }
  assert.fail(`panel ${index}: ${what} not plotted within ${timeoutMs} ms; last: ${JSON.stringify(columns)}`);
}

// Rows where every series of the plot is null.
function nullRows(columns) {
  const [xs, ...values] = columns;
  const rows = [];
  for (let i = 0; i < xs.length; i++) if (values.every((c) => c[i] === null)) rows.push(i);
  return rows;
}

async function legend(page, index) {
  return page.locator('[data-testid=panel]').nth(index).locator('.u-legend .u-label').allTextContents();
}

// The series names in data-series and the legend's labels, read in one go:
// both come from the same render, and a later render may add a label set.
async function seriesAndLegend(page, index) {
  return page.locator('[data-testid=panel]').nth(index).evaluate((el) => ({
    series: JSON.parse(el.dataset.series || '[]'),
    legend: Array.from(el.querySelectorAll('.u-legend .u-label'), (label) => label.textContent),
    seriesCount: Number(el.dataset.seriesCount),
    labelSets: Number(el.dataset.labelSets),
  }));
}

async function waitForStatus(page, accept, what, timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  let data = null;
  while (Date.now() < deadline) {
    data = await page.locator('[data-testid=status]').evaluate((el) => ({ ...el.dataset })).catch(() => null);
    if (data && accept(data)) return data;
    await sleep(100);
  }
  assert.fail(`status: ${what} not seen within ${timeoutMs} ms; last: ${JSON.stringify(data)}`);
}

async function pickChannel(page, index, channel) {
  const input = page.locator('[data-testid=panel]').nth(index).locator('.channel-input');
  await input.fill(channel);
  await input.press('Enter');
}

describe('the panel page in headless Chromium', () => {
  let host;
  let browser;
  let page;
  const pageErrors = [];
  const sockets = []; // every WebSocket the page opened
  const outDir = outputDir();

  before(async () => {
    assert.ok(
      existsSync(join(BUILD_DIR, 'host', 'web', 'index.html')),
      `the page is not built: ${join(BUILD_DIR, 'host', 'web')} (cmake target runnel_web)`,
    );
    host = await startHost();
    browser = await launchBrowser();
    page = browser.page;
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('websocket', (ws) => sockets.push(ws));
  });

  after(async () => {
    try {
      if (page) {
        const shot = join(outDir, 'panel-final.png');
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      }
      await browser?.close();
    } finally {
      await host?.stop();
    }
  });

  test('the page is served with its assets', async () => {
    const index = await fetch(`${host.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') || '', /text\/html/);
    const html = await index.text();
    const asset = html.match(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/);
    assert.ok(asset, 'index.html links a script under assets/');
    const script = await fetch(`${host.url}/${asset[1]}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') || '', /javascript/);
    // Hashed assets are cached for long; index.html is revalidated.
    const assetCache = script.headers.get('cache-control') || '';
    const maxAge = Number((assetCache.match(/max-age=(\d+)/) || [])[1] || 0);
    assert.ok(maxAge >= 86400, `assets/ Cache-Control: '${assetCache}'`);
    assert.doesNotMatch(index.headers.get('cache-control') || '', /immutable|max-age=[1-9]/);
  });

  test('with no channel chosen, one panel opens on the 20 Hz stream', async () => {
    await page.goto(`${host.url}/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
    assert.equal(await page.locator('[data-testid=panel]').count(), 1);
    const data = await waitForPanel(page, 0, (d) => d.state === 'live', 'live');
    assert.equal(data.channel, CHANNEL_20HZ);
    assert.match(page.url(), /panels=ds\/testdata\/random-20Hz-stream/);
    // The picker offers the testdata streams of every provisioned testdata
    // data source (from GET /api/datasources) and of plugin/testdata.
    const offered = await page.locator('#channel-options option').evaluateAll((els) => els.map((e) => e.value));
    for (const stream of ['random-20Hz-stream', 'random-2s-stream', 'random-flakey-stream', 'random-labeled-stream']) {
      assert.ok(offered.includes(`ds/testdata/${stream}`), `picker offers ds/testdata/${stream}`);
      assert.ok(offered.includes(`ds/more-testdata/${stream}`), `picker offers ds/more-testdata/${stream}`);
      assert.ok(offered.includes(`plugin/testdata/${stream}`), `picker offers plugin/testdata/${stream}`);
    }
  });

  test('picking the 20 Hz stream plots it: points grow, legend shows Value, Min, Max', async (t) => {
    await pickChannel(page, 0, CHANNEL_20HZ);
    await waitForPanel(page, 0, (d) => d.state === 'live' && Number(d.points) > 0, 'first points');
    const before = Number((await panelData(page, 0)).points);
    const startedAt = Date.now();
    const afterData = await waitForPanel(page, 0, (d) => Number(d.points) >= before + 20, '20 more points');
    t.diagnostic(`points grew by ${Number(afterData.points) - before} in ${Date.now() - startedAt} ms`);
    assert.equal(afterData.seriesCount, '3');
    await waitForPanel(page, 0, (d) => d.series === '["Value","Min","Max"]', 'series names');
    assert.deepEqual(await legend(page, 0), ['Value', 'Min', 'Max']);
    // The footer's rate is sampled on its own timer: wait for a sample that
    // saw packets, not for the packets themselves.
    const status = await waitForStatus(page, (d) => Number(d.packetRate) > 0, 'a packet rate');
    assert.equal(status.connection, 'connected');
  });

  test('a second panel on the labeled stream has one series per label set', async (t) => {
    await page.click('[data-testid=add-panel]');
    assert.equal(await page.locator('[data-testid=panel]').count(), 2);
    await pickChannel(page, 1, CHANNEL_LABELED);
    await waitForPanel(
      page,
      1,
      (d) => d.state === 'live' && Number(d.labelSets) >= 2 && d.series && JSON.parse(d.series).length >= 2,
      'two label sets',
    );
    const data = await seriesAndLegend(page, 1);
    const names = data.legend;
    t.diagnostic(`label sets: ${data.labelSets}, legend: ${JSON.stringify(names)}`);
    assert.equal(data.seriesCount, data.labelSets, 'one series per label set');
    assert.deepEqual(names, data.series, 'the legend shows the rendered series');
    assert.equal(new Set(names).size, names.length, 'each legend entry is its own label set');
    for (const name of names) assert.match(name, /^Value \{s=[AB], s=p\d+, x=X\}$/);
    assert.ok(names.some((n) => n.includes('s=A')) && names.some((n) => n.includes('s=B')));
    // The first panel keeps plotting, and both share one connection.
    assert.equal((await panelData(page, 0)).state, 'live');
    const open = sockets.filter((ws) => !ws.isClosed());
    assert.equal(open.length, 1, `open WebSockets: ${open.map((ws) => ws.url()).join(', ')}`);
    assert.match(open[0].url(), /\/api\/live\/ws$/);
    await page.waitForFunction(
      (expected) => window.location.search.includes(expected),
      `panels=${CHANNEL_20HZ},${CHANNEL_LABELED}`,
      { timeout: DEADLINE_MS },
    );
  });

  test('an invalid channel is refused with the host error next to the input', async () => {
    await page.click('[data-testid=add-panel]');
    await pickChannel(page, 2, 'ds/testdata');
    const data = await waitForPanel(page, 2, (d) => d.state === 'refused', 'refused');
    assert.equal(data.errorCode, '400');
    const errorText = await page.locator('[data-testid=panel]').nth(2).locator('[data-testid=channel-error]');
    assert.ok(await errorText.isVisible(), 'the error is visible');
    assert.match(await errorText.textContent(), /400: .*invalid channel/i);

    await pickChannel(page, 2, 'ds/nope/random-20Hz-stream');
    const unknown = await waitForPanel(page, 2, (d) => d.state === 'refused' && d.errorCode === '404', '404');
    assert.match(unknown.error, /^404: /);
    const badge = await page.locator('[data-testid=panel]').nth(2).locator('[data-testid=sub-state]').textContent();
    assert.match(badge, /refused/);
    const shot = join(outDir, 'panel.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  });

  test('the URL reopens the same panels', async () => {
    const url = page.url();
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
    assert.equal(await page.locator('[data-testid=panel]').count(), 3);
    assert.equal((await waitForPanel(page, 0, (d) => d.state === 'live', 'live')).channel, CHANNEL_20HZ);
    assert.equal((await waitForPanel(page, 1, (d) => d.state === 'live', 'live')).channel, CHANNEL_LABELED);
    await waitForPanel(page, 2, (d) => d.state === 'refused', 'refused');
  });

  test('when the host goes away the page says so, reconnects and plots again', async () => {
    await waitForPanel(page, 0, (d) => Number(d.points) > 0, 'points');
    const beforeKill = await waitForPlot(page, 0, (columns) => columns[0].length > 0, 'a chart with points');
    assert.deepEqual(nullRows(beforeKill), [], 'no gap in the chart before the outage');
    const lastBeforeKill = beforeKill[0][beforeKill[0].length - 1];
    await host.kill();
    await page.waitForSelector('[data-testid=status]:not([data-connection=connected])', {
      timeout: DEADLINE_MS,
    });
    const connectionText = await page.locator('#connection-state').textContent();
    assert.match(connectionText, /reconnecting|connecting|disconnected/);
    await host.start();
    await page.waitForSelector('[data-testid=status][data-connection=connected]', { timeout: DEADLINE_MS });
    const resumed = await waitForPanel(page, 0, (d) => d.state === 'live', 'live again');
    const rows = Number(resumed.rowsTotal);
    await waitForPanel(page, 0, (d) => Number(d.rowsTotal) >= rows + 20, 'new points after restart');
    // The chart shows a gap over the outage: one row of nulls between the old
    // points and the new ones, not a line joining them.
    const columns = await waitForPlot(
      page,
      0,
      (c) => nullRows(c).length > 0 && c[0].length - nullRows(c)[0] > 20,
      'a gap followed by 20 new points',
    );
    const [xs, ...values] = columns;
    const gaps = nullRows(columns);
    assert.equal(gaps.length, 1, `one null row in the chart, got rows ${JSON.stringify(gaps)} of ${xs.length}`);
    const at = gaps[0];
    assert.ok(at > 0 && xs.length - at > 20, `old points before the gap (${at}), new ones after`);
    assert.ok(xs[at - 1] >= lastBeforeKill, 'the points before the gap are the old ones');
    assert.ok(xs[at - 1] < xs[at] && xs[at] < xs[at + 1], 'the gap lies between the old and the new points');
    for (const column of values) {
      assert.ok(
        column.every((v, i) => (i === at ? v === null : typeof v === 'number')),
        'every series is plotted on both sides of the gap and broken at it',
      );
    }
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
  test('a pushed stream/ channel is offered by the picker and plotted, one series per tag set', async () => {
    const push = async () => {
      const now = Date.now();
      const body = `cpu,host=a usage=${now % 100} ${now}\ncpu,host=b usage=${(now + 50) % 100} ${now}`;
      const response = await fetch(`${host.url}/api/live/push/e2e-panel?precision=ms`, { method: 'POST', body });
      assert.equal(response.status, 200, await response.text());
    };
    await push();
    await page.goto(`${host.url}/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
    // The page is ready before its first GET /api/live/list answers (the
    // picker is filled again then): wait for the pushed channel's option
    // itself, not for data-ready.
    const option = '#channel-options option[value="stream/e2e-panel/cpu"]';
    const offered = await page
      .waitForSelector(option, { state: 'attached', timeout: DEADLINE_MS })
      .then(() => true)
      .catch(() => false);
    const options = await page.locator('#channel-options option').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(offered, `picker offers the pushed channel: ${options}`);
    await page.click('[data-testid=add-panel]');
    const index = (await page.locator('[data-testid=panel]').count()) - 1;
    await pickChannel(page, index, 'stream/e2e-panel/cpu');
    // The kept frame arrives with the subscribe reply: two tag sets at once.
    const first = await waitForPanel(
      page,
      index,
      (d) => d.state === 'live' && Number(d.labelSets) === 2 && Number(d.points) > 0,
      'the kept frame plotted as two series',
    );
    await push();
    await waitForPanel(page, index, (d) => Number(d.rowsTotal) > Number(first.rowsTotal), 'the next push plotted');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
