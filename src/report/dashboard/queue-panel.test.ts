// The dashboard's queue panel in a real browser (Debian's Chromium) over a real queue: a redis-server of the
// test's own, a study whose cells go through it, and a `robustart worker` process started while the page is open.
// The panel must show the queue's counts as the queue reports them, and follow it to the end of the study.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ResultStore } from '../../store/store.js';
import { loadStudy } from '../../study/config.js';
import { runStudy } from '../../study/runner.js';
import { writeTestStudy } from '../../study/testing.js';
import { tempDir } from '../../testing/fixtures.js';
import { startRedis, type RedisServer } from '../../testing/redis.js';
import { WorkerProcess } from '../../testing/worker-process.js';
import { waitUntil } from '../../testing/wait.js';
import { queueExecutor } from '../../queue/coordinator.js';
import { openQueueMonitor, type QueueMonitor } from '../../queue/progress.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import { launchChromium } from './chromium.js';

let redis: RedisServer | undefined;
let worker: WorkerProcess | undefined;
let monitor: QueueMonitor | undefined;
let server: DashboardServer | undefined;
let browser: Browser | undefined;
let store: ResultStore | undefined;
after(async () => {
  await browser?.close();
  await server?.close();
  await monitor?.close();
  await worker?.stop('SIGKILL');
  await redis?.stop();
  store?.close();
});

const COUNTS = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

test('serve with a queue: the panel shows the counts of a real queue and follows a study through it', async () => {
  const dir = tempDir('robustart-queue-panel-');
  // 12 images in shards of 4: 3 shards, 2 queued ahead while no worker runs.
  const study = loadStudy(await writeTestStudy(dir, { models: 1, suites: [{ suite: 'clean' }], perClass: 4, extra: { batchSize: 4 } }));
  redis = await startRedis();
  store = new ResultStore(join(dir, 'results.db'));
  monitor = await openQueueMonitor(redis.url);
  server = await startDashboardServer({ store, port: 0, queue: monitor });
  const running = runStudy(study, { store, executor: queueExecutor({ url: redis.url, shardSize: 4, pollMs: 50, queueAhead: 2 }) });
  let failed: string | undefined;
  running.catch((err: unknown) => (failed = `the study failed: ${String(err)}`));
  let progress = await monitor.progress();
  await waitUntil('2 shards waiting', async () => {
    progress = await monitor!.progress();
    return progress.waiting >= 2 && progress.runs.length > 0;
  }, { hopeless: () => failed });

  browser = await launchChromium();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  const count = (key: string) => page.locator(`#queue [data-count="${key}"]`);
  await count('waiting').filter({ hasText: /^2$/ }).waitFor();
  // Without workers the queue holds still: the panel's counts are the queue's.
  progress = await monitor.progress();
  for (const key of COUNTS) assert.equal(Number(await count(key).textContent()), progress[key], key);
  assert.deepEqual([progress.waiting, progress.active], [2, 0]);
  assert.equal(await page.locator('#queue-workers').textContent(), 'no worker connected');
  const [run] = progress.runs;
  const row = page.locator(`#queue-runs tr[data-run="${run.runId}"]`);
  assert.equal(await row.locator('[data-field="records"]').textContent(), `0/${run.total}`);

  // A worker joins: the panel follows the study to its end without a reload (it polls every 3 s; a minute leaves
  // room for a slow, loaded machine).
  worker = await WorkerProcess.start(redis.url);
  const result = await running;
  assert.equal(result.evaluated, 1);
  await row.locator('[data-field="records"]').filter({ hasText: `${run.total}/${run.total}` }).waitFor({ timeout: 60_000 });
  await count('waiting').filter({ hasText: /^0$/ }).waitFor({ timeout: 60_000 });
  assert.equal(await row.locator('[data-field="eta"]').textContent(), 'done');
  assert.match(String(await row.locator('[data-field="workers"]').textContent()), new RegExp(`:${worker.child.pid}/cpu \\(3\\)`));
  assert.match(String(await page.locator('#queue-workers').textContent()), new RegExp(`^1 worker\\(s\\) connected: \\S+:${worker.child.pid}/cpu$`));
  progress = await monitor.progress();
  for (const key of COUNTS) assert.equal(Number(await count(key).textContent()), progress[key], key);
  assert.deepEqual(errors, []);
  await page.close();
});
