// Debian's Chromium driven by playwright-core (no browser download): for the dashboard's browser tests and screenshots.
import { existsSync } from 'node:fs';
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
