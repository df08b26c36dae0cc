// npm run bench -- corrupt [--severity 3] [--size 224] [--repeats 15] [--warmups 30] [--workers N] [--sweeps-per-worker 8]
//                          [--no-scaling]
//                          [--no-reference]
// Milliseconds per ImageNet-C corruption on one image, single-threaded (median of repeats), and the throughput of
// the whole 19-corruption sweep on worker pools of 1, 2, 4, ... all cores (the scaling curve; --no-scaling: all cores only).
// Target: the sweep at severity 3 on 224x224, one core, >= 4x faster than the reference Python implementation
// (imagecorruptions), i.e. about 60-75 ms of CPU on this machine class. imagecorruptions runs in the same run on the
// same image (tools/bench-imagecorruptions.py, with $ROBUSTART_IMAGECORRUPTIONS_PYTHON, else tools/.venv/bin/python,
// else /usr/bin/python3) when it is installed; the ratio compares CPU times of that one run, because on a shared
// machine the load moves every absolute figure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { FloatImage } from '../data/image.js';
import { syntheticImage } from '../noise/natural/fixture.js';
import { proceduralFrostBank } from '../noise/natural/frost.js';
import { CorruptionPool } from '../noise/natural/pool.js';
import { CORRUPTIONS, CORRUPTION_NAMES } from '../noise/natural/registry.js';
import { checkSeverity } from '../noise/natural/types.js';
import { Rng } from '../util/rng.js';
import { flag } from './_timing.js';

/** imagecorruptions on a quiet machine of this class, severity 3, 224x224 (spec natural-noise.md): shown only
 * when the reference cannot run here. */
const QUIET_REFERENCE_TOTAL_MS = 236;
const TARGET_RATIO = 4;

interface ReferenceTimes {
  cpu_ms: Record<string, number>;
  wall_ms: Record<string, number>;
}

function referencePython(): string {
  return process.env.ROBUSTART_IMAGECORRUPTIONS_PYTHON ?? (existsSync('tools/.venv/bin/python') ? 'tools/.venv/bin/python' : '/usr/bin/python3');
}

/** imagecorruptions on the same image and severity, one thread; a one-line reason when it cannot run. */
function measureReference(image: FloatImage, severity: number, repeats: number, warmups: number): ReferenceTimes | string {
  const bytes = Buffer.alloc(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(image.data[i] * 255);
  const python = referencePython();
  const args = ['tools/bench-imagecorruptions.py', '--width', String(image.width), '--height', String(image.height), '--severity', String(severity), '--repeats', String(repeats), '--warmups', String(warmups)];
  const result = spawnSync(python, args, { input: bytes, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
  if (result.status !== 0) return `${python}: ${(result.error?.message ?? result.stderr).trim().split('\n').pop()} (see tools/bench-imagecorruptions.py to install it)`;
  return JSON.parse(result.stdout) as ReferenceTimes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { severity: { type: 'string' }, size: { type: 'string' }, repeats: { type: 'string' }, warmups: { type: 'string' }, workers: { type: 'string' }, 'sweeps-per-worker': { type: 'string' }, 'no-scaling': { type: 'boolean' }, 'no-reference': { type: 'boolean' } } });
  const severity = checkSeverity(flag(args, 'severity', 3));
  const size = flag(args, 'size', 224);
  const repeats = flag(args, 'repeats', 15);
  // Calls of each corruption before timing, on both sides. V8 optimises a function after some tens of calls (the
  // JPEG round trip after 10-40), and a real sweep corrupts thousands of images, so the steady state is the figure.
  const warmups = flag(args, 'warmups', 30);
  const workers = flag(args, 'workers', availableParallelism());
  const sweepsPerWorker = flag(args, 'sweeps-per-worker', 8);
  const image = syntheticImage(size, size, 1);

  // Single-threaded: libvips (jpeg_compression) limited to one thread too.
  sharp.concurrency(1);
  proceduralFrostBank(); // built once per process; not part of a corruption's cost
  // Wall time and this process's CPU time per call: on a shared machine the CPU time is the steadier figure.
  // With the reference, robustart is measured before and after it and the medians taken over both rounds, so a
  // change of load during the run weighs on both sides alike.
  const loadBefore = loadavg();
  const times: Record<string, number[]> = {};
  const cpuTimes: Record<string, number[]> = {};
  const measure = async () => {
    for (const c of CORRUPTIONS) {
      for (let i = 0; i < warmups; i++) await c.apply(image, severity, new Rng(i));
      for (let i = 0; i < repeats; i++) {
        const start = performance.now();
        const startCpu = process.cpuUsage();
        await c.apply(image, severity, new Rng(100 + i));
        const used = process.cpuUsage(startCpu);
        (times[c.name] ??= []).push(performance.now() - start);
        (cpuTimes[c.name] ??= []).push((used.user + used.system) / 1000);
      }
    }
  };
  await measure();
  const reference = values['no-reference'] ? 'not run (--no-reference)' : measureReference(image, severity, repeats, warmups);
  if (typeof reference !== 'string') await measure();
  const perCorruption = Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
  const cpuPerCorruption = Object.fromEntries(Object.entries(cpuTimes).map(([name, t]) => [name, median(t)]));
  const total = Object.values(perCorruption).reduce((a, b) => a + b, 0);
  const cpuTotal = Object.values(cpuPerCorruption).reduce((a, b) => a + b, 0);
  const sum = (times: Record<string, number>) => CORRUPTION_NAMES.reduce((a, name) => a + times[name], 0);
  const cell = (v: number | undefined, digits = 2) => (v === undefined ? '' : v.toFixed(digits)).padStart(10);
  process.stdout.write(`ImageNet-C corruptions, severity ${severity}, ${size}x${size}, median of ${repeats} calls a round after ${warmups} warm-up calls (robustart: ${typeof reference === 'string' ? 'one round' : 'two rounds, before and after imagecorruptions'}; Node ${process.versions.node})\n\n`);
  process.stdout.write(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores\n\n`);
  process.stdout.write(`${'corruption'.padEnd(20)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'ref wall'.padStart(10)} ${'ref cpu'.padStart(10)} ${'ref/cpu'.padStart(8)}\n`);
  const ref = typeof reference === 'string' ? undefined : reference;
  for (const name of CORRUPTION_NAMES) {
    const refCpu = ref?.cpu_ms[name];
    process.stdout.write(`${name.padEnd(20)} ${perCorruption[name].toFixed(2).padStart(8)} ${cpuPerCorruption[name].toFixed(2).padStart(8)} ${cell(ref?.wall_ms[name])} ${cell(refCpu)} ${(refCpu === undefined ? '' : `${(refCpu / cpuPerCorruption[name]).toFixed(1)}x`).padStart(8)}\n`);
  }
  const refCpuTotal = ref && sum(ref.cpu_ms);
  process.stdout.write(`${'sweep, 1 thread'.padEnd(20)} ${total.toFixed(1).padStart(8)} ${cpuTotal.toFixed(1).padStart(8)} ${cell(ref && sum(ref.wall_ms), 1)} ${cell(refCpuTotal, 1)} ${(refCpuTotal === undefined ? '' : `${(refCpuTotal / cpuTotal).toFixed(2)}x`).padStart(8)}\n`);
  if (refCpuTotal === undefined) {
    process.stdout.write(`imagecorruptions: ${reference as string}; it took ${QUIET_REFERENCE_TOTAL_MS} ms on a quiet machine of this class (target: >= ${TARGET_RATIO}x, ~60-75 ms CPU)\n\n`);
  } else {
    process.stdout.write(`sweep CPU: imagecorruptions / robustart = ${(refCpuTotal / cpuTotal).toFixed(2)}x (target: >= ${TARGET_RATIO}x, ${refCpuTotal / cpuTotal >= TARGET_RATIO ? 'met' : 'not met'}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end\n\n`);
  }

  // All cores: whole sweeps spread over worker pools of 1, 2, 4, ... up to `workers` threads (scaling curve).
  sharp.concurrency(0);
  const sizes: number[] = [];
  for (let n = 1; n < workers; n *= 2) sizes.push(n);
  sizes.push(workers);
  let onePool = NaN;
  for (const size of values['no-scaling'] ? [workers] : sizes) {
    const pool = new CorruptionPool({ workers: size });
    try {
      const sweep = (seed: number) => pool.run<Record<string, number>>({ kind: 'sweep', image, corruptions: [...CORRUPTION_NAMES], severity, seed });
      // Warm-up: JIT tiers and the frost bank in every worker.
      await Promise.all(Array.from({ length: pool.size * 3 }, (_, i) => sweep(i)));
      const count = pool.size * sweepsPerWorker;
      const start = performance.now();
      await Promise.all(Array.from({ length: count }, (_, i) => sweep(1000 + i)));
      const wall = performance.now() - start;
      const perSweep = wall / count;
      if (size === 1) onePool = perSweep;
      const scaling = Number.isFinite(onePool) ? `, ${(onePool / perSweep).toFixed(2)}x one worker (${((100 * onePool) / perSweep / size).toFixed(0)}% efficiency)` : '';
      process.stdout.write(`${`sweep, ${size} worker${size > 1 ? 's' : ''}`.padEnd(20)} ${perSweep.toFixed(1).padStart(8)} ms per sweep (${count} sweeps in ${wall.toFixed(0)} ms${scaling})\n`);
    } finally {
      await pool.close();
    }
  }
}
