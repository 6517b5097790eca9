// Issue 13, end to end: a panel whose target is a data source query, on the
// real host with the real testdata plugin, in headless Chromium. The testdata
// `live` query answers the 20 Hz stream's history over the panel's window
// with meta.channel set; the page draws it at once, then subscribes to that
// channel and appends the live rows; a new window runs the query again.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { BUILD_DIR, sleep, startHost } from './support/host.mjs';
import { panelData, waitForPanel } from './support/panel-page.mjs';

const DEADLINE_MS = 20_000;
const CHANNEL_20HZ = 'ds/testdata/random-20Hz-stream';
const LIVE_QUERY = { datasource: { uid: 'testdata' }, queryType: 'live', path: 'random-20Hz-stream' };
// The page asks for the panel's point budget (points=1000 by default) over
// its window: a minute of history is ~1000 rows, where the 20 Hz stream
// delivers 20 a second.
const HISTORY_MIN_POINTS = 500;
const STREAM_HZ = 20;

// The URL of a page with one panel on `query` (url-state.js's format:
// "query:" + JSON, a comma inside it as %2C).
function queryPageUrl(base, query, windowSeconds) {
  const target = encodeURIComponent(`query:${JSON.stringify(query)}`);
  return `${base}/?panels=${target}&window=${windowSeconds}`;
}

// The x values panel `index`'s uPlot plots, once accept(xs) holds.
async function waitForPlotTimes(page, index, accept, what, timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  let xs = null;
  while (Date.now() < deadline) {
    xs = await page.evaluate((i) => {
      const plot = window.runnel.panels[i]?.plot;
      return plot ? Array.from(plot.data[0]) : null;
    }, index);
    if (xs && accept(xs)) return xs;
    await sleep(50);
  }
  assert.fail(`panel ${index}: ${what} not plotted within ${timeoutMs} ms; last: ${xs?.length} x values`);
}

async function setWindow(page, seconds) {
  await page.fill('#window-seconds', String(seconds));
  await page.press('#window-seconds', 'Enter');
}

describe('a query panel in headless Chromium', () => {
  let host;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    assert.ok(
      existsSync(join(BUILD_DIR, 'host', 'web', 'index.html')),
      `the page is not built: ${join(BUILD_DIR, 'host', 'web')} (cmake target runnel_web)`,
    );
    host = await startHost();
    browser = await launchBrowser();
    page = browser.page;
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await host?.stop();
    }
  });

  test('the live query draws the history at once, then live rows after it', async (t) => {
    const openedAt = Date.now();
    await page.goto(queryPageUrl(host.url, LIVE_QUERY, 60));
    await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
    // The first answer applied: the history is all there in one go.
    const first = await waitForPanel(page, 0, (d) => d.queryRuns === '1', 'the first answer');
    const elapsedS = (Date.now() - openedAt) / 1000;
    t.diagnostic(`first answer after ${elapsedS.toFixed(2)} s: ${first.points} points, ${first.historyPoints} of history`);
    assert.equal(first.targetKind, 'query');
    assert.equal(first.queryState, 'done', first.error);
    assert.equal(first.channel, CHANNEL_20HZ, 'meta.channel of the answer');
    assert.ok(Number(first.historyPoints) >= HISTORY_MIN_POINTS, `history rows: ${first.historyPoints}`);
    assert.ok(Number(first.points) >= HISTORY_MIN_POINTS, `points: ${first.points}`);
    assert.ok(
      Number(first.points) > STREAM_HZ * (elapsedS + 1),
      `${first.points} points is more than the stream could deliver in ${elapsedS.toFixed(2)} s`,
    );
    assert.equal(Number(first.queryTo) - Number(first.queryFrom), 60_000);
    // The history starts in the range and reaches far back in it (the
    // window rolls on from the newest live row, so its first rows may
    // already have left when the answer was slow).
    assert.ok(Number(first.firstTime) >= Number(first.queryFrom), 'the history starts in the range');
    assert.ok(Number(first.firstTime) < Number(first.queryTo) - 50_000, 'and near its start');
    // Then the channel of meta.channel: live rows appended after the history.
    const live = await waitForPanel(page, 0, (d) => d.state === 'live', 'subscribed to meta.channel');
    await waitForPanel(
      page,
      0,
      (d) => Number(d.rowsTotal) >= Number(live.rowsTotal) + 20,
      '20 live rows after the history',
    );
    const xs = await waitForPlotTimes(
      page,
      0,
      (v) => v.filter((x) => x > Number(first.queryTo)).length >= 20,
      '20 rows after the queried range',
    );
    assert.ok(xs[0] < Number(first.queryTo) - 30_000, 'the history is still plotted before them');
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], 'times rise along the chart');
    assert.match(page.url(), /panels=query:\{%22datasource%22/);
  });

  test('a shorter window runs the query again: the history starts later', async () => {
    const before = await panelData(page, 0);
    await setWindow(page, 20);
    const shorter = await waitForPanel(page, 0, (d) => d.queryRuns === '2', 'the second answer');
    assert.equal(shorter.queryState, 'done', shorter.error);
    assert.equal(Number(shorter.queryTo) - Number(shorter.queryFrom), 20_000);
    assert.ok(Number(shorter.historyPoints) >= HISTORY_MIN_POINTS, `history rows: ${shorter.historyPoints}`);
    assert.ok(
      Number(shorter.firstTime) > Number(before.firstTime) + 30_000,
      `first time ${shorter.firstTime} is well after ${before.firstTime}`,
    );
    assert.equal(shorter.state, 'live', 'the subscription goes on');
    await waitForPanel(
      page,
      0,
      (d) => Number(d.rowsTotal) >= Number(shorter.rowsTotal) + 20,
      'live rows after the new history',
    );
    assert.match(page.url(), /window=20/);
  });

  test('a longer window runs it again: the history starts earlier', async () => {
    const before = await panelData(page, 0);
    await setWindow(page, 120);
    const longer = await waitForPanel(page, 0, (d) => d.queryRuns === '3', 'the third answer');
    assert.equal(longer.queryState, 'done', longer.error);
    assert.equal(Number(longer.queryTo) - Number(longer.queryFrom), 120_000);
    assert.ok(
      Number(longer.firstTime) < Number(before.firstTime) - 60_000,
      `first time ${longer.firstTime} is well before ${before.firstTime}`,
    );
    assert.ok(Number(longer.firstTime) >= Number(longer.queryFrom), 'the history starts in the range');
    assert.ok(Number(longer.firstTime) < Number(longer.queryTo) - 100_000, 'and near its start');
  });

  test('the URL reopens the query panel with its window', async () => {
    await page.goto(page.url());
    await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
    const data = await waitForPanel(page, 0, (d) => d.queryRuns === '1', 'the answer after reload');
    assert.equal(data.targetKind, 'query');
    assert.equal(Number(data.queryTo) - Number(data.queryFrom), 120_000);
    assert.equal(data.channel, CHANNEL_20HZ);
    const form = page.locator('[data-testid=panel]').nth(0).locator('[data-testid=query-form]');
    assert.ok(await form.isVisible(), 'the query form shows the query');
    assert.equal(await form.locator('.query-datasource').inputValue(), 'testdata');
    assert.equal(await form.locator('.query-type').inputValue(), 'live');
    assert.deepEqual(JSON.parse(await form.locator('.query-fields').inputValue()), { path: 'random-20Hz-stream' });
  });

  test('the query form runs a query without meta.channel: its frames are plotted, no subscription', async () => {
    await page.click('[data-testid=add-panel]');
    const panel = page.locator('[data-testid=panel]').nth(1);
    await panel.locator('[data-testid=target-mode]').selectOption('query');
    await panel.locator('.query-datasource').selectOption('more-testdata');
    await panel.locator('.query-type').fill('random_walk');
    await panel.locator('.query-run').click();
    const data = await waitForPanel(page, 1, (d) => d.queryRuns === '1', 'the random walk');
    assert.equal(data.queryState, 'done', data.error);
    assert.equal(data.state, 'queried');
    assert.equal(data.channel, '');
    assert.ok(Number(data.points) > 0);
    await waitForPanel(page, 1, (d) => d.series === '["Value"]', 'the Value series');
    // A query the plugin refuses says why, next to the form.
    await panel.locator('.query-type').fill('nope');
    await panel.locator('.query-run').click();
    const refused = await waitForPanel(page, 1, (d) => d.queryState === 'error', 'the error');
    assert.match(refused.error, /unknown queryType: nope/);
    await page.waitForFunction(() => window.location.search.includes('%22queryType%22:%22nope%22'), null, {
      timeout: DEADLINE_MS,
    });
    // The first panel goes on: reloaded in the previous test, it may still be
    // subscribing, so wait for its state rather than read it once.
    await waitForPanel(page, 0, (d) => d.state === 'live', 'the first panel goes on');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
