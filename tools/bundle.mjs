// The published entry points as one esbuild build over tsc's output (dist/** -> dist/pkg/): the root, every
// `exports` subpath, the CLI and every worker thread's entry. Node's ES module loader costs about 60 KiB of RSS per
// module, and importing the root reaches about 250 of robustart's own, so the package ships them as a few chunks.
// Code splitting puts every module shared by two entry points (or by a lazy `import()`) in one shared chunk, so
// the root, the subpaths, the CLI, `--plugin` files and worker threads see one copy of each class and registry.
// Entry names mirror dist/ (dist/api/attacks.js -> dist/pkg/api/attacks.js) so that `moduleUrl`
// (src/util/paths.ts) finds a worker's bundled entry from its path under dist/.
// Run by `npm run build` after tsc: `node tools/bundle.mjs`.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = 'dist/pkg/';

/** Entry points of worker threads and child processes (each started from `moduleUrl(path)`), by their path under dist/. */
const WORKERS = ['eval/preprocess-worker.js', 'noise/natural/worker.js', 'queue/compute-thread.js', 'onnx/setup-process-child.js'];

/** The entry points, named by their path under dist/ without `.js`: what package.json's exports and bin name, and the workers. */
function entryPoints(manifest) {
  const targets = [...Object.values(manifest.exports).map((e) => (typeof e === 'string' ? undefined : e.import)), ...Object.values(manifest.bin)];
  const published = targets.filter((t) => t?.replace(/^\.\//, '').startsWith(OUT)).map((t) => t.replace(/^\.\//, '').slice(OUT.length));
  const entries = {};
  for (const path of [...published, ...WORKERS]) entries[path.replace(/\.js$/, '')] = `${ROOT}dist/${path}`;
  return entries;
}

const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
rmSync(`${ROOT}${OUT}`, { recursive: true, force: true });
await build({
  entryPoints: entryPoints(manifest),
  outdir: `${ROOT}${OUT}`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages stay in node_modules: native ones load on first use through src/util/native.ts.
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  // Less source text for V8 to hold (about 0.7 MiB of the root's RSS); identifiers stay, so stacks keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  // src/util/paths.ts: the bundle finds worker entries and shipped files by itself, not by each chunk's URL.
  define: { ROBUSTART_BUNDLE: 'true' },
  logLevel: 'warning',
});
