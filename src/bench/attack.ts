// `npm run bench -- attack`: attack throughput on the autodiff engine against forward-only throughput of the same
// classifier, measured in the same run. For each model (random weights, built here) and attack it prints images/s,
// the ratio to forward-only images/s, the model passes each image cost, and the fraction of the ideal reached.
//
// The ideal is the attack's own gradient passes at the cost of one forward+input-gradient pass at full batch
// (measured here, no attack code around it) plus one forward pass per image for the verdict: everything beyond
// that — further forward passes, sub-batches shrunk by early stopping, the attack's own array work — is overhead.
// Target: every attack at >= 0.9 of the ideal by CPU time. Fractions are given by wall time and by this process's CPU
// time (the second holds up better on a machine other jobs load). Below the table, a line per attack says why a
// fraction falls short: the fraction its pass counts alone allow (forward passes beyond the verdict's, and which of
// them its definition needs), what its model calls cost against full-batch prices (sub-batches shrunk by early
// stopping), and its own work's CPU share and CPU milliseconds per gradient call (the array work of one step, plus the
// attack's set-up spread over its steps). The table's last fraction, "of its passes", prices every pass the attack
// made (gradient and forward) against its CPU time: what is left there is overhead the attack could lose.
//
// The ideal stays one forward per image beyond the gradient passes, although some attacks' definitions need more:
// APGD checks the clean images first (AutoAttack's convention: only images the model classifies correctly are
// attacked), checks its last iterate, and needs the verdict's own pass on an image a gradient call found or on the
// best-loss point it returns (a gradient call's logits never count as the verdict); AutoAttack runs one clean check
// for its cascade, each part's checks (APGD-T's once per target), FAB-T's check of every step and its verdict on the
// projected images, and Square, whose queries are all forward passes. Against a random model at ε = 4/255, where APGD
// fools every image within two steps, its clean check and verdict alone cap it near 0.85 of the ideal; at a tiny ε
// (every image survives, as on a robust model) the checks weigh little for APGD and Square's queries weigh most for
// AutoAttack. Those passes are not overhead the code could remove; "of its passes" shows what is.
//
// Pricing. The passes are priced by calibration rounds (a forward and a gradient pass over the images, the same
// session, batches and thread settings the attack uses) run right before and right after each attack, at the median
// of those rounds, wall and CPU apart; or, with --paired, by a calibration call of the same kind paired with every
// model call of the attack (before it and after it in turn), at their mean, so the price sees the same minute's load
// as the calls it prices. The cheaper of two rounds taken once before all attacks (the earlier pricing) put the
// attack's model calls at 1.06-1.20x their price; paired, they cost 0.98-1.02x (ResNet-50, PGD-10 and APGD-CE-10,
// load 5-9): a call inside an attack costs what it costs alone, and the gap was the price's luck and drift. The median
// of rounds stays a little below the mean an attack pays under bursts of load (1.00-1.08x). A warm-up round comes
// first: the first full-batch calls grow ORT's arena (ResNet-50, batch 8: the first gradient call 4.3 s CPU, then
// 2.9-3.3).
// Flags: --models resnet50,vit-b16  --attacks fgsm,pgd-10,apgd-ce-100,autoattack  --images 8  --batch-size 8
//        --size 224  --eps 4/255  --calibrations 2 (rounds on each side of an attack)
//        --paired: price the passes by calibration calls paired with the attack's model calls instead (doubles the time)
//        AutoAttack quick settings: --aa-steps 100 --aa-targets 9 --aa-queries 5000
// PGD runs without early stopping (every image pays for every step); APGD and AutoAttack stop each image at its
// first success, as they do in evaluations, so their passes per image depend on how robust the random model is.
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import type { DifferentiableClassifier, LossAndGradient, LossSpec } from '../model/differentiable.js';
import type { Attack } from '../noise/adversarial/attack.js';
import { argmax, indexStreams } from '../noise/adversarial/attack.js';
import { FGSM } from '../noise/adversarial/fgsm.js';
import { PGD } from '../noise/adversarial/pgd.js';
import { APGD } from '../noise/adversarial/apgd.js';
import { AutoAttack } from '../noise/adversarial/autoattack.js';
import { parseEpsilon } from '../noise/adversarial/threat.js';
import { availableParallelism, loadavg } from 'node:os';
import { RobustartError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { median } from '../metrics/adversarial.js';
import { flag, option, peakRssMiB } from './_timing.js';
import { benchModelLabel, buildBenchModel } from './_models.js';

/** Every attack should reach this fraction of the ideal (issue target, checked by CPU time). */
const TARGET_OF_IDEAL = 0.9;

/** Wall and CPU seconds of one call. */
interface Cost {
  readonly wall: number;
  readonly cpu: number;
}

/** One calibration round: a forward pass and a gradient pass over the bench's images. */
export interface CalibrationRound {
  readonly forward: Cost;
  readonly gradient: Cost;
}

/** The price of a forward and of a gradient pass over the images: the median of the rounds around an attack, wall and CPU apart. */
export function passPrices(rounds: readonly CalibrationRound[]): CalibrationRound {
  if (rounds.length === 0) throw new RobustartError('no calibration rounds to price the passes by; run at least one');
  const price = (kind: keyof CalibrationRound): Cost => ({ wall: median(rounds.map((r) => r[kind].wall)), cpu: median(rounds.map((r) => r[kind].cpu)) });
  return { forward: price('forward'), gradient: price('gradient') };
}

async function measure(fn: () => Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

/** The bench's batch an attack is running on: a paired calibration call runs on all of it. */
interface OuterBatch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly index: number;
}

/**
 * A classifier that counts the images it sees in forward and in gradient calls, and the CPU seconds spent inside them.
 * With `paired`, every call is paired with a calibration call of the same kind (CE gradient or forward) on the whole
 * outer batch, before the attack's call and after it in turn, so both see the same minute's load; their costs price
 * the passes (`pairedPrices`) and are left out of the attack's own (`calibrationSpent`).
 */
export class CountingClassifier implements DifferentiableClassifier {
  forwardImages = 0;
  gradientImages = 0;
  gradientCalls = 0;
  modelCpu = 0;
  /** Set by the bench before each batch's attack.run. */
  outer?: OuterBatch;
  calibrationSpent: Cost = { wall: 0, cpu: 0 };
  private readonly pairs = { forward: [] as Cost[][], gradient: [] as Cost[][] };
  private calls = 0;
  /** `paired`: each model call is paired with a calibration call of the same kind on the whole outer batch. */
  constructor(private readonly model: DifferentiableClassifier, private readonly paired = false) {}
  get inputShape() {
    return this.model.inputShape;
  }
  get numClasses() {
    return this.model.numClasses;
  }
  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    this.forwardImages += batch;
    return this.timed('forward', () => this.model.logits(images, batch));
  }
  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    this.gradientImages += batch;
    this.gradientCalls++;
    return this.timed('gradient', () => this.model.lossAndGradient(images, batch, labels, loss));
  }

  private async timed<T>(kind: keyof CalibrationRound, call: () => Promise<T>): Promise<T> {
    const pairFirst = this.paired && this.calls++ % 2 === 0;
    if (pairFirst) await this.calibrationCall(kind);
    let out!: T;
    this.modelCpu += (await measure(async () => (out = await call()))).cpu;
    if (this.paired && !pairFirst) await this.calibrationCall(kind);
    return out;
  }

  private async calibrationCall(kind: keyof CalibrationRound): Promise<void> {
    const { images, labels, size, index } = this.outer!;
    const model = this.model;
    const cost = await measure(() => (kind === 'forward' ? model.logits(images, size) : model.lossAndGradient(images, size, labels, { kind: 'ce' })));
    (this.pairs[kind][index] ??= []).push(cost);
    this.calibrationSpent = { wall: this.calibrationSpent.wall + cost.wall, cpu: this.calibrationSpent.cpu + cost.cpu };
  }

  /**
   * The price of a pass over `batches` outer batches from the paired calls: the sum over batches of each batch's mean
   * paired call (the attack pays every call's cost, bursts included, so the mean and not the median); a kind some batch
   * made no call of keeps its price in `fallback`.
   */
  pairedPrices(batches: number, fallback: CalibrationRound): CalibrationRound {
    const price = (kind: keyof CalibrationRound): Cost => {
      const perBatch = Array.from({ length: batches }, (_, b) => this.pairs[kind][b] ?? []);
      if (perBatch.some((c) => c.length === 0)) return fallback[kind];
      const mean = (c: Cost[], k: keyof Cost) => c.reduce((t, x) => t + x[k], 0) / c.length;
      return { wall: perBatch.reduce((t, c) => t + mean(c, 'wall'), 0), cpu: perBatch.reduce((t, c) => t + mean(c, 'cpu'), 0) };
    };
    return { forward: price('forward'), gradient: price('gradient') };
  }
}

/** The forward passes beyond the verdict's that an attack's definition needs, for the bench's "why" line. */
function definitionForwards(name: string): string {
  if (name.startsWith('apgd-ce')) return "the clean check, the check of its last iterate, and the verdict's pass on images a gradient call found or left at their best-loss point";
  if (name === 'autoattack') return "the cascade's clean check, each part's checks (APGD's as in apgd-ce, once per target for APGD-T), FAB-T's check of every step and verdict on the projected images, and Square's queries";
  return 'none';
}

/**
 * An attack's fractions by wall or CPU time: of the ideal (its gradient passes and one verdict forward per image at
 * their prices, over its cost), the most its passes alone allow (the ideal over the price of every pass it made), and
 * of its passes (that price over its cost: below 1 by what the attack's code adds, sub-batches and load).
 * ofIdeal = passesAllow × ofPasses.
 */
export function fractions(gradientPasses: number, forwardPasses: number, prices: CalibrationRound, cost: Cost, by: keyof Cost): { ofIdeal: number; passesAllow: number; ofPasses: number } {
  const ideal = gradientPasses * prices.gradient[by] + prices.forward[by];
  const passes = gradientPasses * prices.gradient[by] + forwardPasses * prices.forward[by];
  return { ofIdeal: ideal / cost[by], passesAllow: ideal / passes, ofPasses: passes / cost[by] };
}

function createBenchAttack(name: string, model: DifferentiableClassifier, eps: number, args: string[]): Attack {
  const steps = /^(pgd|apgd-ce)-(\d+)$/.exec(name);
  if (name === 'fgsm') return new FGSM(model, { eps });
  if (steps?.[1] === 'pgd') return new PGD(model, { eps, steps: Number(steps[2]), earlyStop: false });
  if (steps?.[1] === 'apgd-ce') return new APGD(model, { eps, steps: Number(steps[2]), loss: 'ce' });
  if (name === 'autoattack') {
    return new AutoAttack(model, { eps, steps: flag(args, 'aa-steps', 100), targetClasses: flag(args, 'aa-targets', 9), squareQueries: flag(args, 'aa-queries', 5000) });
  }
  throw new RobustartError(`unknown bench attack '${name}'; use fgsm, pgd-N, apgd-ce-N or autoattack`);
}

export async function run(args: string[]): Promise<void> {
  const count = flag(args, 'images', 8);
  const batchSize = flag(args, 'batch-size', 8);
  const size = flag(args, 'size', 224);
  const epsText = option(args, 'eps', '4/255');
  const eps = parseEpsilon(epsText);
  const models = option(args, 'models', 'resnet50,vit-b16').split(',');
  const attacks = option(args, 'attacks', 'fgsm,pgd-10,apgd-ce-100,autoattack').split(',');
  const rounds = flag(args, 'calibrations', 2);
  const paired = args.includes('--paired');
  if (!Number.isInteger(rounds) || rounds < 1) throw new RobustartError(`--calibrations ${rounds} is not a positive whole number; pass the calibration rounds to run on each side of an attack, e.g. --calibrations 2`);
  process.stdout.write(`attack bench: ${count} images of ${size}x${size}, batch ${batchSize}, L∞ ε = ${epsText}, autodiff engine on CPU; target: each attack at >= ${TARGET_OF_IDEAL} of the ideal by CPU time; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores\n`);
  for (const name of models) {
    const classifier = await createDifferentiableClassifier(buildBenchModel(name, size));
    const perImage = classifier.inputShape.reduce((a, b) => a * b, 1);
    const rng = new Rng(0);
    const images = Float32Array.from({ length: count * perImage }, () => rng.uniform());
    const batches = async (fn: (x: Float32Array, y: Int32Array, n: number, start: number) => Promise<unknown>) => {
      for (let start = 0; start < count; start += batchSize) {
        const n = Math.min(batchSize, count - start);
        await fn(images.subarray(start * perImage, (start + n) * perImage), labels.subarray(start, start + n), n, start);
      }
    };
    // Labels are the model's own predictions, so every image starts correctly classified and is attacked.
    const labels = new Int32Array(count);
    await batches(async (x, _y, n, start) => {
      const logits = await classifier.logits(x, n);
      for (let i = 0; i < n; i++) labels[start + i] = argmax(logits, i, classifier.numClasses);
    });
    await classifier.lossAndGradient(images.subarray(0, perImage), 1, labels.subarray(0, 1), { kind: 'ce' }); // builds the gradient session
    const calibrate = async (n: number): Promise<CalibrationRound[]> => {
      const out: CalibrationRound[] = [];
      for (let r = 0; r < n; r++) {
        out.push({
          forward: await measure(() => batches((x, _y, k) => classifier.logits(x, k))),
          gradient: await measure(() => batches((x, y, k) => classifier.lossAndGradient(x, k, y, { kind: 'ce' }))),
        });
      }
      return out;
    };
    await calibrate(1); // warm-up: the first full-batch calls grow ORT's arena
    let before = await calibrate(rounds);
    const first = passPrices(before);
    process.stdout.write(`\n${benchModelLabel(name)}: forward ${(count / first.forward.wall).toFixed(2)} img/s, forward+input-gradient ${(count / first.gradient.wall).toFixed(2)} img/s (${(first.gradient.wall / first.forward.wall).toFixed(2)} forwards; CPU ${(first.gradient.cpu / first.forward.cpu).toFixed(2)}) before the first attack; each attack's passes are priced by ${paired ? 'calibration calls paired with its model calls' : `the ${2 * rounds} calibration rounds around it`}\n`);
    process.stdout.write(`attack          img/s  / forward  grad passes/img  fwd passes/img  ideal / forward  of ideal (wall, CPU)  target (CPU)         of its passes (CPU)\n`);
    const why: string[] = [];
    for (const attackName of attacks) {
      const counted = new CountingClassifier(classifier, paired);
      const attack = createBenchAttack(attackName, counted, eps, args);
      const streams = indexStreams(0, attackName, count);
      const withPairs = await measure(() => batches((x, y, n, start) => {
        counted.outer = { images: x, labels: y, size: n, index: start / batchSize };
        return attack.run(x, y, n, streams.slice(start, start + n));
      }));
      const cost: Cost = { wall: withPairs.wall - counted.calibrationSpent.wall, cpu: withPairs.cpu - counted.calibrationSpent.cpu };
      const after = await calibrate(rounds);
      const around = [...before, ...after];
      before = after;
      const { forward, gradient } = paired ? counted.pairedPrices(Math.ceil(count / batchSize), passPrices(around)) : passPrices(around);
      const forwardRate = count / forward.wall;
      const gradientPasses = counted.gradientImages / count;
      const forwardPasses = counted.forwardImages / count;
      const byWall = fractions(gradientPasses, forwardPasses, { forward, gradient }, cost, 'wall');
      const byCpu = fractions(gradientPasses, forwardPasses, { forward, gradient }, cost, 'cpu');
      const idealRatio = forward.wall / (gradientPasses * gradient.wall + forward.wall);
      const rate = count / cost.wall;
      const met = byCpu.ofIdeal >= TARGET_OF_IDEAL ? 'met' : 'not met';
      // Where the attack's CPU time went: the ideal; forward passes beyond the verdict's, priced at full batch;
      // model calls costing more than full-batch prices (sub-batches shrunk by early stopping); the attack's own work.
      const passesCpu = gradientPasses * gradient.cpu + forwardPasses * forward.cpu;
      process.stdout.write(
        `${attackName.padEnd(14)} ${rate.toFixed(3).padStart(6)}  ${(rate / forwardRate).toFixed(4).padStart(8)}  ${gradientPasses.toFixed(1).padStart(15)}  ${forwardPasses.toFixed(1).padStart(14)}  ${idealRatio.toFixed(4).padStart(15)}  ${byWall.ofIdeal.toFixed(2).padStart(10)}, ${byCpu.ofIdeal.toFixed(2)}  >= ${TARGET_OF_IDEAL}: ${met.padEnd(7)}  ${byCpu.ofPasses.toFixed(2).padStart(19)}\n`,
      );
      const spread = around.map((r) => r.gradient.cpu);
      const pairedNote = paired ? `; priced by the paired calls at ${gradient.cpu.toFixed(2)} s per gradient pass` : '';
      why.push(`${attackName}: its passes alone allow ${byCpu.passesAllow.toFixed(2)} of the ideal (${(forwardPasses - 1).toFixed(1)} forward passes per image beyond the verdict's; its definition needs ${definitionForwards(attackName)}); its model calls cost ${(counted.modelCpu / passesCpu).toFixed(2)}x their full-batch price (sub-batches shrunk by early stopping; load); its own work outside model calls is ${((100 * (cost.cpu - counted.modelCpu)) / cost.cpu).toFixed(1)}% of its CPU time (${((1000 * (cost.cpu - counted.modelCpu)) / Math.max(1, counted.gradientCalls)).toFixed(0)} ms per gradient call); a gradient pass cost ${Math.min(...spread).toFixed(2)}-${Math.max(...spread).toFixed(2)} s of CPU in the rounds around it${pairedNote}`);
    }
    process.stdout.write(`${why.join('\n')}\n`);
    await classifier.dispose();
  }
  process.stdout.write(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB; load average ${loadavg()[0].toFixed(1)} at the end\n`);
}
