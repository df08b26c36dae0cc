// Screenshots of the dashboard's views, taken with Debian's Chromium (docs/dashboard-*.png):
//   node dist/report/dashboard/screenshots.js --store DB [--out docs] [--model NAME]
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ResultStore } from '../../store/store.js';
import { startDashboardServer } from './server.js';
import { launchChromium } from './chromium.js';

const { values } = parseArgs({ options: { store: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' } } });
if (!values.store) throw new Error('usage: screenshots.js --store DB [--out docs] [--model NAME]');
const out = values.out ?? 'docs';
mkdirSync(out, { recursive: true });
const store = new ResultStore(values.store);
const server = await startDashboardServer({ store, port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 860 } });
  const views: [string, string, string][] = [];
  if (((await (await fetch(`${server.url}/api/studies`)).json()) as unknown[]).length > 0) {
    await page.goto(`${server.url}/`);
    await page.locator('#leaderboard tbody tr').first().waitFor();
    const model = values.model ?? (await page.locator('#leaderboard tbody tr').first().getAttribute('data-model'))!;
    views.push(
      ['leaderboard', '#/', '#leaderboard'],
      ['architecture', '#/architecture', '[data-testid="architecture-chart"]'],
      ['technique', '#/technique', '[data-testid="technique-chart"], .note'],
      ['transfer', '#/transfer', 'h2'],
      ['model', `#/model/${encodeURIComponent(model)}`, '[data-testid="model-chart"]'],
    );
  }
  // The NAS view, when the store holds subnets (docs/dashboard-nas.png).
  if (((await (await fetch(`${server.url}/api/nas`)).json()) as unknown[]).length > 0) views.push(['nas', '#/nas', '[data-testid="nas-pareto-chart"]']);
  for (const [name, hash, ready] of views) {
    await page.goto(`${server.url}/${hash}`);
    await page.locator(ready).first().waitFor();
    await page.waitForTimeout(300);
    const file = join(out, `dashboard-${name}.png`);
    await page.screenshot({ path: file, fullPage: name !== 'architecture' });
    process.stdout.write(`${file}\n`);
  }
} finally {
  await browser.close();
  await server.close();
  store.close();
}
