import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The package root (dist/util/paths.js -> ../..), where demo/ and data/ ship. */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function packagePath(relativePath: string): string {
  return resolve(PACKAGE_ROOT, relativePath);
}
