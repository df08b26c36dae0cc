// Debian's Chromium driven by playwright-core (no browser download): for the dashboard's browser tests and screenshots.
import { existsSync } from 'node:fs';
import { RobustartError } from '../../errors.js';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.ROBUSTART_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new RobustartError(`Chromium not found at ${CHROMIUM_PATH}; install Debian's chromium package or set ROBUSTART_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
