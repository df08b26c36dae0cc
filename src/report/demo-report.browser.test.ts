// Opens the demo's report in Debian's Chromium (playwright-core drives /usr/bin/chromium, or $CHROMIUM) and checks
// that every section has its plot and its images, as rendered by a real browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { tempDir } from '../testing/fixtures.js';
import { packagePath } from '../util/paths.js';

test('demo report in Chromium: comparison table, and per model three plots and the sample images', async () => {
  const dir = tempDir('demo-report-');
  const out = join(dir, 'demo.html');
  const run = spawnSync(process.execPath, [packagePath('dist/cli/main.js'), 'demo', '--limit', '6', '--store', join(dir, 'results.db'), '--out', out], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(run.status, 0, run.stderr);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.goto(pathToFileURL(out).href);
    assert.deepEqual(requests, [], 'the report is self-contained');
    assert.match((await page.textContent('#comparison table'))!, /fashion-cnn/);
    assert.match((await page.textContent('#comparison'))!, /n=6/);
    const sections = await page.$$('section.model');
    assert.ok(sections.length >= 1);
    for (const section of sections) {
      const model = await section.getAttribute('data-model');
      for (const plot of ['severity', 'epsilon', 'system']) {
        const marks = await section.$$eval(`[data-plot="${plot}"] svg polyline, [data-plot="${plot}"] svg rect`, (els) => els.length);
        assert.ok(marks > 0, `${model}: plot ${plot} has marks`);
        const box = await section.$eval(`[data-plot="${plot}"] svg`, (svg) => svg.getBoundingClientRect().width);
        assert.ok(box > 100, `${model}: plot ${plot} is drawn`);
      }
      // four corruption groups, two attacks, a 3 x 3 grid
      assert.equal(await section.$$eval('[data-plot="severity"] polyline', (els) => els.length), 4);
      assert.equal(await section.$$eval('[data-plot="epsilon"] polyline', (els) => els.length), 2);
      assert.equal(await section.$$eval('[data-plot="system"] svg > rect', (els) => els.length), 9);
      const images = await section.$$eval('.samples figure', (figs) => figs.map((f) => {
        const img = f.querySelector('img') as HTMLImageElement;
        return { title: f.querySelector('b')?.textContent ?? '', loaded: img.complete && img.naturalWidth > 0, caption: f.querySelector('figcaption')?.textContent ?? '' };
      }));
      assert.ok(images.every((i) => i.loaded), `${model}: every sample image decodes`);
      const titles = images.map((i) => i.title).join(' | ');
      assert.match(titles, /^clean \| [a-z_]+\/3 \(worst at severity 3\) \| pgd\/linf\/2\/255( \(.+\))? \| perturbation ×\d+ \| .+\+.+ \(worst combination\)$/);
      // predictions are class names, not indices
      assert.match(images[0].caption, /(T-shirt|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)/i);
    }
  } finally {
    await browser.close();
  }
});
