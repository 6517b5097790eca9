// Reading the panel page from a test: the data-* attributes each panel
// exposes (host/web/src/panel.js), polled until they say what a test waits
// for, so a test waits for the very thing it asserts.
import assert from 'node:assert/strict';

import { sleep } from './host.mjs';

export const PANEL_DEADLINE_MS = 20_000;

// The attributes a panel exposes (see host/web/src/panel.js).
export async function panelData(page, index) {
  return page.locator('[data-testid=panel]').nth(index).evaluate((el) => ({ ...el.dataset }));
}

// Polls until accept(panel data) holds; returns the data. Fails with the last
// seen data after timeoutMs.
export async function waitForPanel(page, index, accept, what, timeoutMs = PANEL_DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  let data = null;
  while (Date.now() < deadline) {
    data = await panelData(page, index).catch(() => null);
    if (data && accept(data)) return data;
    await sleep(50);
  }
  assert.fail(`panel ${index}: ${what} not seen within ${timeoutMs} ms; last: ${JSON.stringify(data)}`);
}
