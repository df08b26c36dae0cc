// `npm run bench -- import [--runs N] [--detail]`: what it costs to start using robustart. Each figure is the median
// over fresh Node processes: importing the package root and each subpath export by name, as a user does (the
// published entry points: the bundle in dist/pkg/), and a preprocessing worker's start from its bundled entry
// (spawn to first answered request). The baseline, measured in the same run, is a
// bare `node -e 0` (time and RSS of Node itself); targets are printed beside the figures. `--detail` adds where the
// root's memory goes: V8's heap spaces and external memory after the import, and how many modules it evaluated.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../util/paths.js';
import { flag } from './_timing.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// The issue's targets: the root's RSS is given in MB (10^6 bytes); ru_maxrss counts KiB, so both units are printed.
const TARGETS = { rootSeconds: 0.4, rootRssMB: 60, workerSeconds: 0.3 };
const MIB = 1024 * 1024;
const toMB = (mib: number): number => (mib * MIB) / 1e6;
const toMiB = (mb: number): number => (mb * 1e6) / MIB;
const SUBPATHS = ['', '/attacks', '/corruptions', '/autodiff', '/metrics', '/data', '/eval', '/models', '/onnx'];

interface Sample {
  /** Inside the process: the import (or the worker's start) alone. */
  readonly seconds: number;
  readonly rssMiB: number;
  /** Outside: spawn to exit of the whole process. */
  readonly processSeconds: number;
}

/** Runs `code` (an ES module body; it may set `elapsed` itself) in a fresh process that prints its elapsed time and peak RSS. */
function measure(code: string, nodeFlags: readonly string[] = []): Sample {
  const script = `let elapsed; const t0 = performance.now(); ${code}; const s = elapsed ?? (performance.now() - t0) / 1000; console.log(JSON.stringify({ seconds: s, rssMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const processSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<Sample, 'processSeconds'>), processSeconds };
}

function median(samples: readonly Sample[]): Sample {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { seconds: mid(samples.map((s) => s.seconds)), rssMiB: mid(samples.map((s) => s.rssMiB)), processSeconds: mid(samples.map((s) => s.processSeconds)) };
}

function repeat(runs: number, code: string, nodeFlags: readonly string[] = []): Sample {
  return median(Array.from({ length: runs }, () => measure(code, nodeFlags)));
}

/** A preprocessing worker's start from `script` (a path under dist/): spawn to its first answered request. */
const workerStart = (script: string) => `
const { Worker } = await import('node:worker_threads');
const sharp = (await import('sharp')).default;
const { writeFileSync } = await import('node:fs');
const path = '${ROOT}../.bench-import.png';
writeFileSync(path, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer());
const start = performance.now();
const w = new Worker(new URL('./${script}', 'file://${ROOT}'), { execArgv: [] });
await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject);
  w.postMessage({ path, decoder: 'sharp', resizers: ['pil-bilinear'], config: { input_size: [3, 8, 8], crop_pct: 1, interpolation: 'bilinear' } }); });
elapsed = (performance.now() - start) / 1000;
await w.terminate();
`;

export async function run(args: string[]): Promise<void> {
  const runs = flag(args, 'runs', 5);
  const node = repeat(runs, '');
  const line = (label: string, s: Sample, target?: string) =>
    `${label.padEnd(28)} ${s.seconds.toFixed(3).padStart(6)} s ${toMB(s.rssMiB).toFixed(1).padStart(6)} MB ${s.rssMiB.toFixed(1).padStart(6)} MiB ${s.processSeconds.toFixed(3).padStart(8)} s  ${(s.processSeconds / node.processSeconds).toFixed(2).padStart(5)}x${target ? `   target ${target}` : ''}`;
  process.stdout.write(`median of ${runs} fresh processes each; the machine's load shows in every figure, the ratio to bare node less so\n`);
  process.stdout.write(`${''.padEnd(28)} ${'import'.padStart(8)} ${'peak RSS'.padStart(20)} ${'process'.padStart(10)}  vs node\n`);
  process.stdout.write(`${line('node -e 0 (baseline)', node)}\n`);
  const exported = Object.keys((JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports);
  for (const subpath of SUBPATHS.filter((s) => exported.includes(`.${s}`))) {
    const s = repeat(runs, `await import('robustart${subpath}')`);
    const root = subpath === '';
    const target = root ? `<= ${TARGETS.rootSeconds} s, <= ${TARGETS.rootRssMB} MB (${toMiB(TARGETS.rootRssMB).toFixed(1)} MiB)` : undefined;
    process.stdout.write(`${line(`import robustart${subpath}`, s, target)}${root ? verdict(s.seconds <= TARGETS.rootSeconds && toMB(s.rssMiB) <= TARGETS.rootRssMB) : ''}\n`);
  }
  const worker = repeat(runs, workerStart('pkg/eval/preprocess-worker.js'));
  process.stdout.write(`${line('preprocessing worker start', worker, `<= ${TARGETS.workerSeconds} s`)}${verdict(worker.seconds <= TARGETS.workerSeconds)}\n`);
  if (!args.includes('--detail')) return;
  detail();
  await counterfactuals(runs, line);
}

/** V8's heap spaces (physical size), external memory and peak RSS at the end of `code`, in MiB. */
const HEAP_REPORT = `const v8 = await import('node:v8');
const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size / ${MIB}]));
const m = process.memoryUsage();
console.log(JSON.stringify({ peak: process.resourceUsage().maxRSS / 1024, heap: m.heapTotal / ${MIB}, heapUsed: m.heapUsed / ${MIB}, newSpace: spaces.new_space, oldSpace: spaces.old_space, codeSpace: spaces.code_space, external: m.external / ${MIB} }));`;

/**
 * Where the root's RSS goes, against bare node in the same harness: the rest of the difference (not heap, not
 * external) is native memory: Node's module loader, the compilers' zones and the pages of V8's optimizing compiler.
 */
function detail(): void {
  const run = (code: string) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `${code}; ${HEAP_REPORT}`], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!) as Record<string, number>;
  const bare = run('');
  const root = run(`await import('robustart')`);
  process.stdout.write(`\nwhere the root's memory goes (MiB; one process each, at the end of the import):\n`);
  process.stdout.write(`${''.padEnd(16)} ${'bare node'.padStart(10)} ${'robustart'.padStart(10)} ${'difference'.padStart(11)}\n`);
  const row = (label: string, key: string) => process.stdout.write(`${label.padEnd(16)} ${bare[key].toFixed(1).padStart(10)} ${root[key].toFixed(1).padStart(10)} ${(root[key] - bare[key]).toFixed(1).padStart(11)}\n`);
  row('peak RSS', 'peak');
  row('V8 heap', 'heap');
  row('  new space', 'newSpace');
  row('  old space', 'oldSpace');
  row('  code space', 'codeSpace');
  row('  (live objects)', 'heapUsed');
  row('external', 'external');
  const other = root.peak - bare.peak - (root.heap - bare.heap) - (root.external - bare.external);
  process.stdout.write(`${'native, other'.padEnd(16)} ${''.padStart(10)} ${''.padStart(10)} ${other.toFixed(1).padStart(11)}\n`);
  process.stdout.write(`robustart modules the root evaluates: ${rootModules(`await import('robustart')`)} (bundle chunks); tsc's modules: ${rootModules(`await import('file://${ROOT}index.js')`)}\n`);
}

/**
 * The root's import under conditions a user cannot choose, to size each cause of its RSS: with V8's optimizing
 * compilers off (Node's module loader gets hot enough to be optimized), with the young generation held at its
 * starting size (what survives the import makes V8 grow it), and as tsc's modules (dist/**: the same code as
 * hundreds of ES modules instead of the bundle's chunks: what Node's loader costs per module).
 */
async function counterfactuals(runs: number, line: (label: string, s: Sample) => string): Promise<void> {
  const root = `await import('robustart')`;
  process.stdout.write(`\nthe root's import with a cause of its memory taken away or put back (diagnostics, not targets):\n`);
  process.stdout.write(`${line('without optimizing JIT', repeat(runs, root, ['--no-opt', '--no-maglev', '--no-sparkplug']))}\n`);
  process.stdout.write(`${line('young generation fixed', repeat(runs, root, ['--max-semi-space-size=1']))}\n`);
  process.stdout.write(`${line("as tsc's modules (dist/**)", repeat(runs, `await import('file://${ROOT}index.js')`))}\n`);
  process.stdout.write(`${line("worker start, tsc's modules", repeat(runs, workerStart('eval/preprocess-worker.js')))}\n`);
}

/** The number of robustart's own ES modules `code` loads (a loader hook reports each one). */
function rootModules(importCode: string): number {
  const hook = `export async function load(url, context, next) { if (url.startsWith(${JSON.stringify(`file://${ROOT}`)})) process.stderr.write('module ' + url + '\\n'); return next(url, context); }`;
  const code = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)}); ${importCode};`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  return child.stderr.split('\n').filter((l) => l.startsWith('module ')).length;
}

function verdict(met: boolean): string {
  return met ? '  (met)' : '  (NOT met)';
}
