// The dashboard's NAS view in a real browser (Debian's Chromium): Pareto plots with the front highlighted, the
// correlation heat map, the subnet table, the static site, hidden without subnets, and no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ResultStore } from '../../store/store.js';
import { tempDir } from '../../testing/fixtures.js';
import { TEST_SPACE, TEST_SUBNETS, writeNasStore } from '../../testing/nas-store.js';
import type { NasAnalysis } from '../../nas/analysis.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import { writeSite } from './site.js';
import { launchChromium, openPageRecordingErrors, serveStaticSite } from './chromium.js';

let dir: string;
let store: ResultStore;
let server: DashboardServer;
let browser: Browser;
let analysis: NasAnalysis;

before(async () => {
  dir = tempDir();
  store = new ResultStore(await writeNasStore(dir));
  server = await startDashboardServer({ store, port: 0 });
  analysis = (await (await fetch(`${server.url}/api/nas/${TEST_SPACE}`)).json()) as NasAnalysis;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
});

const openPage = (url: string) => openPageRecordingErrors(browser, url);

/** Metrics some subnet has a value for: the page draws one Pareto plot each. */
const measured = () => analysis.columns.filter((c) => analysis.subnets.some((s) => s.metrics[c.key] !== null && s.metrics[c.key] !== undefined));

test('the API lists the spaces and serves one analysis; an unknown space is 404', async () => {
  const spaces = (await (await fetch(`${server.url}/api/nas`)).json()) as { space: string; subnets: number }[];
  assert.deepEqual(spaces.map((s) => [s.space, s.subnets]), [[TEST_SPACE, TEST_SUBNETS.length]]);
  assert.equal(analysis.subnets.length, TEST_SUBNETS.length);
  const missing = await fetch(`${server.url}/api/nas/nope`);
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /no NAS subnets of search space 'nope'/);
  assert.equal((await fetch(`${server.url}/api/nas/${TEST_SPACE}?dataset=zzz`)).status, 400);
  assert.equal((await fetch(`${server.url}/api/nas?x=1`)).status, 400);
});

test('the NAS view draws every subnet and its front per metric, the correlation heat map and the table', async () => {
  const { page, errors } = await openPage(`${server.url}/#/nas`);
  // The nav entry appears once the page has fetched the spaces: wait for it (a locator's isVisible does not wait).
  await page.locator('#nav-nas').waitFor({ state: 'visible', timeout: 60_000 });
  const charts = page.locator('[data-testid="nas-pareto-chart"]');
  await charts.first().waitFor();
  const columns = measured();
  assert.ok(columns.length >= 8, `${columns.length} metrics with values`);
  assert.equal(await charts.count(), columns.length);
  for (const [i, c] of columns.entries()) {
    const chart = charts.nth(i);
    assert.ok(String(await chart.locator('figcaption').textContent()).startsWith(`${c.label} vs MACs`));
    const withValue = analysis.subnets.filter((s) => s.metrics[c.key] !== null).length;
    const front = analysis.pareto.find((p) => p.metric === c.key && p.cost === 'macs')!.subnets;
    assert.ok(front.length >= 1);
    // Two dot marks: the other subnets, then the front's points on top; one line through the front.
    const dots = chart.locator('g[aria-label="dot"]');
    assert.equal(await dots.count(), 2);
    assert.equal(await dots.nth(1).locator('circle').count(), front.length, `${c.key} front`);
    assert.equal(await chart.locator('g[aria-label="dot"] circle').count(), withValue, `${c.key} every subnet`);
    assert.equal(await chart.locator('g[aria-label="line"] path').count(), 1);
  }
  // The test store's natural runs cover one corruption at two severities: no mCE, so the subset mean is drawn and said to be one.
  assert.ok(columns.some((c) => c.key === 'corruption_error_subset'));
  assert.match(String(await page.locator('main').textContent()), /Corruption error: the mean top-1 error over the 2 ImageNet-C conditions the subnets ran \(gaussian_noise; severities 1,5\), unnormalised\. mCE needs all 15 corruptions/);
  const heat = page.locator('[data-testid="nas-correlation-chart"]');
  const cells = (coefficient: 'spearman' | 'kendall') => analysis.correlations.filter((c) => c[coefficient] !== null).length;
  assert.ok(cells('spearman') > 0);
  assert.equal(await heat.locator('g[aria-label="cell"] rect').count(), cells('spearman'));
  await page.selectOption('#nas-coefficient', 'kendall');
  assert.match(String(await heat.locator('figcaption').textContent()), /Kendall's tau-b/);
  assert.equal(await heat.locator('g[aria-label="cell"] rect').count(), cells('kendall'));

  const rows = page.locator('#nas-table tbody tr');
  assert.equal(await rows.count(), TEST_SUBNETS.length);
  await page.locator('#nas-table th[data-key="macs"] button').click();
  const order = await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-subnet')));
  assert.deepEqual(order, [...analysis.subnets].sort((a, b) => b.macs! - a.macs!).map((s) => s.name));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the static site shows the NAS view; without subnets the view is hidden', async () => {
  const site = join(dir, 'site');
  writeSite(store, [], site);
  const files = await serveStaticSite(site);
  const empty = new ResultStore(join(tempDir(), 'empty.db'));
  const emptyServer = await startDashboardServer({ store: empty, port: 0 });
  try {
    const { page, errors } = await openPage(`${files.url}/#/nas`);
    await page.locator('[data-testid="nas-pareto-chart"]').first().waitFor();
    assert.equal(await page.locator('[data-testid="nas-pareto-chart"]').count(), measured().length);
    assert.equal(await page.locator('#nas-table tbody tr').count(), TEST_SUBNETS.length);
    await page.goto(`${emptyServer.url}/#/nas`);
    await page.getByText('holds no NAS subnets').waitFor();
    assert.equal(await page.locator('#nav-nas').isVisible(), false);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    files.close();
    await emptyServer.close();
    empty.close();
  }
});
