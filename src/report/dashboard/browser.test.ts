// The dashboard in a real browser (Debian's Chromium): every row, sorting, filtering, search, every chart view's
// marks, the per-model page from a row, the static site, and no console errors anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ResultStore } from '../../store/store.js';
import { loadStudy, type Study } from '../../study/config.js';
import { runStudy } from '../../study/runner.js';
import { writeTestStudy, TEST_MODELS } from '../../study/testing.js';
import { tempDir } from '../../testing/fixtures.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import { writeSite } from './site.js';
import { launchChromium, openPageRecordingErrors, serveStaticSite } from './chromium.js';
import type { DashboardPayload } from './data.js';

let store: ResultStore;
let study: Study;
let server: DashboardServer;
let browser: Browser;
let payload: DashboardPayload;
let dir: string;

before(async () => {
  dir = tempDir();
  study = loadStudy(await writeTestStudy(dir, { extra: { transfer: { sources: ['cnn-base', 'vit-base'], eps: '4/255' } } }));
  store = new ResultStore(join(dir, 'results.db'));
  await runStudy(study, { store });
  server = await startDashboardServer({ store, port: 0 });
  payload = (await (await fetch(`${server.url}/api/studies/tiny/dashboard`)).json()) as DashboardPayload;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
});

const openPage = (url: string) => openPageRecordingErrors(browser, url);

const rowNames = (page: Page) => page.locator('#leaderboard tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));
const cleanValues = (page: Page) => page.locator('#leaderboard tbody td[data-key="clean_top1"]').evaluateAll((cells) => cells.map((c) => Number.parseFloat(c.textContent!)));

test('the leaderboard shows every model; sorting, filters and search work', async () => {
  const { page, errors } = await openPage(`${server.url}/`);
  await page.locator('#leaderboard tbody tr').nth(TEST_MODELS.length - 1).waitFor();
  assert.deepEqual((await rowNames(page)).sort(), TEST_MODELS.map((m) => m.name).sort());

  await page.locator('th[data-key="clean_top1"] button').click();
  const descending = await cleanValues(page);
  assert.deepEqual(descending, [...descending].sort((a, b) => b - a));
  assert.equal(await page.locator('th[data-key="clean_top1"]').getAttribute('aria-sort'), 'descending');
  await page.locator('th[data-key="clean_top1"] button').click();
  const ascending = await cleanValues(page);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  await page.locator('th[data-key="name"] button').click();
  assert.deepEqual(await rowNames(page), TEST_MODELS.map((m) => m.name).sort());

  await page.selectOption('#filter-family', 'ViT');
  assert.deepEqual((await rowNames(page)).sort(), ['vit-base', 'vit-mix']);
  await page.selectOption('#filter-technique', 'mixup');
  assert.deepEqual(await rowNames(page), ['vit-mix']);
  await page.selectOption('#filter-family', '');
  await page.selectOption('#filter-technique', '');
  await page.fill('#search', 'base');
  assert.deepEqual((await rowNames(page)).sort(), ['cnn-base', 'vit-base']);
  await page.fill('#search', '');
  assert.equal((await rowNames(page)).length, TEST_MODELS.length);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the architecture view draws one dot per model with both values, for every metric', async () => {
  const { page, errors } = await openPage(`${server.url}/#/architecture`);
  const charts = page.locator('[data-testid="architecture-chart"]');
  await charts.first().waitFor();
  const rows = payload.leaderboard.rows;
  const metrics = payload.leaderboard.columns.filter((c) => c.key !== 'clean_top1' && rows.some((r) => r.metrics[c.key] !== null && r.metrics[c.key] !== undefined));
  assert.ok(metrics.length >= 10);
  assert.deepEqual(await page.locator('#arch-metric option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), metrics.map((c) => c.key));
  let dots = 0;
  for (const c of metrics) {
    await page.selectOption('#arch-metric', c.key);
    assert.equal(await charts.count(), 3);
    assert.ok(String(await charts.first().locator('figcaption').textContent()).startsWith(`${c.label} vs`));
    const withValue = rows.filter((r) => r.metrics[c.key] !== null && r.metrics[c.key] !== undefined);
    const expected = [withValue.filter((r) => r.metrics.clean_top1 !== null).length, withValue.filter((r) => r.parameters).length, withValue.filter((r) => r.macs).length];
    for (let j = 0; j < 3; j++) assert.equal(await charts.nth(j).locator('g[aria-label="dot"] circle').count(), expected[j], `${c.key} chart ${j}`);
    dots += expected[0];
  }
  assert.ok(dots > 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the technique view draws one cell per variant and metric; the transfer view one cell per source and target', async () => {
  const { page, errors } = await openPage(`${server.url}/#/technique`);
  const chart = page.locator('[data-testid="technique-chart"]');
  await chart.waitFor();
  const expected = payload.techniques.reduce((n, d) => n + Object.keys(d.deltas).length, 0);
  assert.equal(payload.techniques.length, 2);
  assert.equal(await chart.locator('g[aria-label="cell"] rect').count(), expected);
  assert.equal(await page.locator('#technique-table tbody tr').count(), 2);
  await page.goto(`${server.url}/#/transfer`);
  const transfer = page.locator('[data-testid="transfer-chart"]');
  await transfer.waitFor();
  assert.equal(payload.transfer.length, 2 * TEST_MODELS.length);
  // AR is undefined (null) for a target with no clean-correct sample: such a pair has no cell.
  assert.equal(await transfer.locator('g[aria-label="cell"] rect').count(), payload.transfer.filter((c) => c.ar !== null).length);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a model page opens from its row and draws every chart it has data for', async () => {
  const { page, errors } = await openPage(`${server.url}/`);
  await page.locator('#leaderboard tbody tr[data-model="cnn-mix"] a').click();
  await page.locator('#model-name').waitFor();
  assert.equal(await page.locator('#model-name').textContent(), 'cnn-mix');
  assert.match(page.url(), /#\/model\/cnn-mix$/);
  const charts = page.locator('[data-testid="model-chart"]');
  await charts.nth(4).waitFor();
  const titles = await charts.locator('figcaption').allTextContents();
  for (const t of ['AR against ε', 'Error per corruption', 'Corruption error', 'decoder × resizer', 'Calibration']) assert.ok(titles.some((x) => x.includes(t)), t);
  assert.equal(await page.locator('[data-testid="model-chart"] g[aria-label="line"] path').count() >= 1, true);
  assert.equal(await page.locator('[data-testid="model-chart"] g[aria-label="dot"] circle').count() >= 4, true);
  assert.equal(await page.locator('[data-testid="model-chart"] g[aria-label="cell"] rect').count(), 5 + 4); // 1 corruption x 5 severities + 2x2 system grid
  assert.deepEqual(errors, []);
  await page.close();
});

test('the static site shows the same leaderboard', async () => {
  const site = join(dir, 'site');
  writeSite(store, [study], site);
  const files = await serveStaticSite(site);
  try {
    const { page, errors } = await openPage(`${files.url}/`);
    await page.locator('#leaderboard tbody tr').nth(TEST_MODELS.length - 1).waitFor();
    assert.equal(await page.locator('#leaderboard tbody tr').count(), TEST_MODELS.length);
    await page.locator('#leaderboard tbody tr[data-model="vit-base"] a').click();
    await page.locator('[data-testid="model-chart"]').first().waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    files.close();
  }
});

test('an open leaderboard follows a study while it runs', async () => {
  const liveDir = tempDir();
  const live = new ResultStore(join(liveDir, 'results.db'));
  const liveServer = await startDashboardServer({ store: live, port: 0 });
  try {
    const path = await writeTestStudy(liveDir, { suites: [{ suite: 'clean' }] });
    const full = loadStudy(path);
    await runStudy({ ...full, models: full.models.slice(0, 1) }, { store: live });
    const { page, errors } = await openPage(`${liveServer.url}/`);
    await page.locator('#leaderboard tbody tr').first().waitFor();
    assert.equal(await page.locator('#leaderboard tbody tr').count(), 1);
    await runStudy(full, { store: live });
    // The page polls the store (every 3 s): the new models appear without a reload, within a minute even on a slow, loaded machine.
    await page.locator('#leaderboard tbody tr').nth(TEST_MODELS.length - 1).waitFor({ timeout: 60_000 });
    assert.match(String(await page.locator('#live').textContent()), new RegExp(`${TEST_MODELS.length}/${TEST_MODELS.length} cells done`));
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await liveServer.close();
    live.close();
  }
});
