import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { ResultStore } from '../../store/store.js';
import { loadStudy } from '../../study/config.js';
import { runStudy } from '../../study/runner.js';
import { writeTestStudy } from '../../study/testing.js';
import { tempDir } from '../../testing/fixtures.js';
import { isLoopback, isTraversal, startDashboardServer, type DashboardServer } from './server.js';

let store: ResultStore;
let server: DashboardServer;
let guarded: DashboardServer;

/** A raw HTTP request: the path goes out exactly as written (no client-side normalisation of '..'). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

before(async () => {
  const dir = tempDir();
  const study = loadStudy(await writeTestStudy(dir, { models: 2, suites: [{ suite: 'clean' }] }));
  store = new ResultStore(join(dir, 'results.db'));
  await runStudy(study, { store });
  server = await startDashboardServer({ store, port: 0 });
  // Bound to loopback here, but configured as a non-loopback server is: every request needs the token.
  guarded = await startDashboardServer({ store, port: 0, token: 'sesame-0123456789' });
});

after(async () => {
  await server.close();
  await guarded.close();
  store.close();
});

test('the API serves the study, its dashboard payload and a model page', async () => {
  const studies = await get(server.url, '/api/studies');
  assert.equal(studies.status, 200);
  assert.equal(JSON.parse(studies.body)[0].name, 'tiny');
  const dash = JSON.parse((await get(server.url, '/api/studies/tiny/dashboard?sort=clean_top1&order=asc')).body);
  assert.equal(dash.leaderboard.rows.length, 2);
  const values = dash.leaderboard.rows.map((r: { metrics: { clean_top1: number } }) => r.metrics.clean_top1);
  assert.deepEqual(values, [...values].sort((a, b) => a - b));
  const filtered = JSON.parse((await get(server.url, '/api/studies/tiny/dashboard?technique=mixup')).body);
  assert.deepEqual(filtered.leaderboard.rows.map((r: { name: string }) => r.name), ['cnn-mix']);
  const model = await get(server.url, '/api/studies/tiny/models/cnn-base');
  assert.equal(model.status, 200);
  assert.equal(JSON.parse(model.body).row.name, 'cnn-base');
  const page = await get(server.url, '/');
  assert.equal(page.status, 200);
  assert.match(page.body, /ROBUSTART_MODE = 'server'/);
  assert.equal((await get(server.url, '/assets/plot.min.js')).status, 200);
});

test('path traversal is rejected with 400, never served', async () => {
  for (const path of ['/assets/../../../etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/assets/%252e%252e%252fpackage.json', '/api/studies/..%5c..%5cx/dashboard', '/assets/%2e%2e/%2e%2e/package.json', '/assets/%E0%A4%A']) {
    const res = await get(server.url, path);
    assert.equal(res.status, 400, path);
    assert.doesNotMatch(res.body, /root:|"dependencies"/);
  }
  assert.equal(isTraversal('/assets/app.js'), false);
});

test('unknown routes, assets, studies and models are 404; writes are 405', async () => {
  assert.equal((await get(server.url, '/nope')).status, 404);
  assert.equal((await get(server.url, '/assets/secret.js')).status, 404);
  assert.equal((await get(server.url, '/assets/__proto__')).status, 404);
  assert.equal((await get(server.url, '/api/studies/none/dashboard')).status, 404);
  assert.equal((await get(server.url, '/api/studies/tiny/models/none')).status, 404);
  const noQueue = await get(server.url, '/api/queue');
  assert.equal(noQueue.status, 404, 'a dashboard started without a queue has no queue route');
  assert.match(JSON.parse(noQueue.body).error, /watches no queue/);
  assert.equal((await get(server.url, '/api/studies', {}, 'POST')).status, 405);
  assert.equal((await get(server.url, '/api/studies/tiny/dashboard', {}, 'DELETE')).status, 405);
});

test('malformed query parameters are 400 with a message, and the server keeps serving', async () => {
  for (const query of ['sort=nonsense', 'order=sideways', 'family=a&family=b', 'dataset=none', 'colour=red', `q=${'x'.repeat(500)}`, 'sort=']) {
    const res = await get(server.url, `/api/studies/tiny/dashboard?${query}`);
    assert.equal(res.status, 400, query);
    assert.ok(JSON.parse(res.body).error, query);
  }
  assert.equal((await get(server.url, '/api/studies?x=1')).status, 400);
  assert.equal((await get(server.url, '/api/studies/tiny/models/cnn-base?dataset=none')).status, 400);
  assert.equal((await get(server.url, '/api/studies')).status, 200);
});

test('a server that needs a token refuses requests without it and accepts header, link and cookie', async () => {
  assert.equal((await get(guarded.url, '/api/studies')).status, 401);
  assert.equal((await get(guarded.url, '/')).status, 401);
  assert.equal((await get(guarded.url, '/api/studies', { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await get(guarded.url, '/api/studies', { authorization: 'Bearer sesame-0123456789' })).status, 200);
  const link = await get(guarded.url, '/?token=sesame-0123456789');
  assert.equal(link.status, 200);
  const cookie = String(link.headers['set-cookie']).split(';')[0];
  assert.equal((await get(guarded.url, '/assets/app.js', { cookie })).status, 200);
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && !isLoopback('0.0.0.0') && !isLoopback('192.168.1.2'));
});

test('a non-loopback server without a token gets a random one', async () => {
  const open = await startDashboardServer({ store, host: '0.0.0.0', port: 0 });
  try {
    assert.ok(open.token && open.token.length >= 24);
    const url = open.url.replace('0.0.0.0', '127.0.0.1');
    assert.equal((await get(url, '/api/studies')).status, 401);
    assert.equal((await get(url, '/api/studies', { authorization: `Bearer ${open.token}` })).status, 200);
  } finally {
    await open.close();
  }
});
