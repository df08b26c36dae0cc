// Debian's Chromium driven by playwright-core (no browser download): for the dashboard's browser tests and screenshots.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { RobustartError } from '../../errors.js';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.ROBUSTART_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new RobustartError(`Chromium not found at ${CHROMIUM_PATH}; install Debian's chromium package or set ROBUSTART_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A new page at `url` that records console errors and uncaught exceptions (the browser tests assert none). */
export async function openPageRecordingErrors(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

const STATIC_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/**
 * A plain file server over a static site on a loopback port (browsers do not fetch JSON from file:// pages): a path
 * ending in / serves its index.html, a missing file or one outside `dir` is a 404.
 */
export async function serveStaticSite(dir: string): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const requested = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    const path = requested.endsWith('/') ? join(requested, 'index.html') : requested;
    if (!path.startsWith(dir) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': STATIC_TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => void server.close() };
}
