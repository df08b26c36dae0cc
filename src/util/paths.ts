// Where robustart's own files are. The same code runs as tsc's modules (dist/**, what tests and benches import) and
// as the esbuild bundle under dist/pkg/ (the published entry points, tools/bundle.mjs), whose chunks sit at other
// depths. So no module finds a file from its own URL: shipped files (demo/, data/, package.json) come from the
// package root, and worker threads start from `moduleUrl`, which names the build the caller itself runs in.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RobustartError } from '../errors.js';

/** Set to true by the bundler's `define` (tools/bundle.mjs); not declared anywhere when running tsc's output. */
declare const ROBUSTART_BUNDLE: boolean | undefined;

/** Whether this code runs from the bundle in dist/pkg/ (rather than from dist/** or src/**). */
export const BUNDLED: boolean = typeof ROBUSTART_BUNDLE !== 'undefined' && ROBUSTART_BUNDLE === true;

const PACKAGE_NAME = 'robustart';

/** The nearest folder above `from` whose package.json names robustart (wherever the module sits below it). */
export function findPackageRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new RobustartError(`no package.json named ${PACKAGE_NAME} above ${from}; reinstall robustart`);
  }
}

const HERE = fileURLToPath(import.meta.url);

/** The package root, where package.json, demo/ and data/ ship. */
export const PACKAGE_ROOT = findPackageRoot(dirname(HERE));

export function packagePath(relativePath: string): string {
  return resolve(PACKAGE_ROOT, relativePath);
}

/** The folder of robustart's modules laid out by area (dist/ for tsc's output and the bundle, src/ under tsx). */
export const MODULES_ROOT: string = BUNDLED ? packagePath('dist') : resolve(dirname(HERE), '..');
/** Their extension there ('.js', or '.ts' when run from source). */
export const MODULE_EXTENSION: string = BUNDLED ? '.js' : extname(HERE);

/**
 * The URL of one of robustart's modules, named by its path under dist/ (`eval/preprocess-worker.js`): the bundle's
 * entry point of that name when running bundled, tsc's module otherwise. A worker thread started from it runs the
 * same build as its parent, so both share one copy of every class and registry.
 */
export function moduleUrl(distPath: string): URL {
  return pathToFileURL(BUNDLED ? join(PACKAGE_ROOT, 'dist', 'pkg', distPath) : join(MODULES_ROOT, distPath));
}
