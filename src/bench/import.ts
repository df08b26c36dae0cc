// `npm run bench -- import [--runs N]`: what it costs to start using robustart. Each figure is the median over
// fresh Node processes: importing the package root and each subpath export (seconds, peak RSS), and a
// preprocessing worker's start (spawn to first answered request). The baseline, measured in the same run, is a
// bare `node -e 0` (time and RSS of Node itself); targets are printed beside the figures.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flag } from './_timing.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = { rootSeconds: 0.4, rootRssMiB: 60, workerSeconds: 0.3 };
const SUBPATHS = ['index', 'attacks', 'corruptions', 'autodiff', 'metrics', 'data', 'eval', 'models', 'onnx'];

interface Sample {
  /** Inside the process: the import (or the worker's start) alone. */
  readonly seconds: number;
  readonly rssMiB: number;
  /** Outside: spawn to exit of the whole process. */
  readonly processSeconds: number;
}

/** Runs `code` (an ES module body; it may set `elapsed` itself) in a fresh process that prints its elapsed time and peak RSS. */
function measure(code: string): Sample {
  const script = `let elapsed; const t0 = performance.now(); ${code}; const s = elapsed ?? (performance.now() - t0) / 1000; console.log(JSON.stringify({ seconds: s, rssMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const processSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<Sample, 'processSeconds'>), processSeconds };
}

function median(samples: readonly Sample[]): Sample {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { seconds: mid(samples.map((s) => s.seconds)), rssMiB: mid(samples.map((s) => s.rssMiB)), processSeconds: mid(samples.map((s) => s.processSeconds)) };
}

function repeat(runs: number, code: string): Sample {
  return median(Array.from({ length: runs }, () => measure(code)));
}

const WORKER_START = `
const { Worker } = await import('node:worker_threads');
const sharp = (await import('sharp')).default;
const { writeFileSync } = await import('node:fs');
const path = '${ROOT}../.bench-import.png';
writeFileSync(path, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer());
const start = performance.now();
const w = new Worker(new URL('./eval/preprocess-worker.js', 'file://${ROOT}'), { execArgv: [] });
await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject);
  w.postMessage({ path, decoder: 'sharp', resizers: ['pil-bilinear'], config: { input_size: [3, 8, 8], crop_pct: 1, interpolation: 'bilinear' } }); });
elapsed = (performance.now() - start) / 1000;
await w.terminate();
`;

export async function run(args: string[]): Promise<void> {
  const runs = flag(args, 'runs', 5);
  const node = repeat(runs, '');
  const line = (label: string, s: Sample, target?: string) =>
    `${label.padEnd(28)} ${s.seconds.toFixed(3).padStart(6)} s ${s.rssMiB.toFixed(0).padStart(5)} MiB ${s.processSeconds.toFixed(3).padStart(8)} s  ${(s.processSeconds / node.processSeconds).toFixed(2).padStart(5)}x${target ? `   target ${target}` : ''}`;
  process.stdout.write(`median of ${runs} fresh processes each; the machine's load shows in every figure, the ratio to bare node less so\n`);
  process.stdout.write(`${''.padEnd(28)} ${'import'.padStart(8)} ${'peak RSS'.padStart(9)} ${'process'.padStart(10)}  vs node\n`);
  process.stdout.write(`${line('node -e 0 (baseline)', node)}\n`);
  for (const name of SUBPATHS) {
    const file = name === 'index' ? './index.js' : `./api/${name}.js`;
    if (!existsSync(`${ROOT}${file.slice(2)}`)) continue;
    const s = repeat(runs, `await import('file://${ROOT}${file.slice(2)}')`);
    const label = name === 'index' ? 'import robustart' : `import robustart/${name}`;
    const target = name === 'index' ? `<= ${TARGETS.rootSeconds} s, <= ${TARGETS.rootRssMiB} MiB` : undefined;
    process.stdout.write(`${line(label, s, target)}${name === 'index' ? verdict(s.seconds <= TARGETS.rootSeconds && s.rssMiB <= TARGETS.rootRssMiB) : ''}\n`);
  }
  const worker = repeat(runs, WORKER_START);
  process.stdout.write(`${line('preprocessing worker start', worker, `<= ${TARGETS.workerSeconds} s`)}${verdict(worker.seconds <= TARGETS.workerSeconds)}\n`);
}

function verdict(met: boolean): string {
  return met ? '  (met)' : '  (NOT met)';
}
