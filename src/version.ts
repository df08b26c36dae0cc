import { readFileSync } from 'node:fs';
import { sharp } from './util/native.js';
import { createRequire } from 'node:module';
import { packagePath } from './util/paths.js';

const require = createRequire(import.meta.url);

/** The package version, read from package.json so results record exactly what produced them. */
export const version: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

/** Versions recorded with every run: a result is reproducible only with the code that made it. */
export function runtimeVersions(): Record<string, string> {
  return { robustart: version, node: process.versions.node, onnxruntime: ortVersion(), sharp: sharpVersion() };
}

/** The installed onnxruntime-node version. */
export function ortVersion(): string {
  try {
    return require('onnxruntime-node/package.json').version as string;
  } catch {
    return 'unknown';
  }
}

function sharpVersion(): string {
  return (sharp.versions as Record<string, string | undefined>).sharp ?? 'unknown';
}
