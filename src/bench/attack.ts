// `npm run bench -- attack`: attack throughput on the autodiff engine against forward-only throughput of the same
// classifier, measured in the same run. For each model (random weights, built here) and attack it prints images/s,
// the ratio to forward-only images/s, the model passes each image cost, and the fraction of the ideal reached.
//
// The ideal is the attack's own gradient passes at the cost of one forward+input-gradient pass at full batch
// (measured here, no attack code around it) plus one forward pass per image for the verdict: everything beyond
// that — further forward passes, sub-batches shrunk by early stopping, the attack's own array work — is overhead.
// Target: every attack at >= 0.9 of the ideal by CPU time. Fractions are given by wall time and by this process's CPU
// time (the second holds up better on a machine other jobs load). Below the table, a line per attack says why a
// fraction falls short: the fraction its pass counts alone allow (forward passes beyond the verdict's), what its
// model calls cost against full-batch prices (sub-batches shrunk by early stopping), and its own work's CPU share
// and CPU milliseconds per gradient call (the array work of one step, plus the attack's set-up spread over its steps).
//
// Flags: --models resnet50,vit-b16  --attacks fgsm,pgd-10,apgd-ce-100,autoattack  --images 8  --batch-size 8
//        --size 224  --eps 4/255  AutoAttack quick settings: --aa-steps 100 --aa-targets 9 --aa-queries 5000
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
import { flag, option, peakRssMiB } from './_timing.js';
import { benchModelLabel, buildBenchModel } from './_models.js';

/** Every attack should reach this fraction of the ideal (issue target, checked by CPU time). */
const TARGET_OF_IDEAL = 0.9;

/** Wall and CPU seconds of one call. */
interface Cost {
  readonly wall: number;
  readonly cpu: number;
}

async function measure(fn: () => Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

/** A classifier that counts the images it sees in forward and in gradient calls, and the CPU seconds spent inside them. */
class CountingClassifier implements DifferentiableClassifier {
  forwardImages = 0;
  gradientImages = 0;
  gradientCalls = 0;
  modelCpu = 0;
  constructor(private readonly model: DifferentiableClassifier) {}
  get inputShape() {
    return this.model.inputShape;
  }
  get numClasses() {
    return this.model.numClasses;
  }
  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    this.forwardImages += batch;
    let out!: Float32Array;
    this.modelCpu += (await measure(async () => (out = await this.model.logits(images, batch)))).cpu;
    return out;
  }
  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    this.gradientImages += batch;
    this.gradientCalls++;
    let out!: LossAndGradient;
    this.modelCpu += (await measure(async () => (out = await this.model.lossAndGradient(images, batch, labels, loss)))).cpu;
    return out;
  }
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
    // Forward and gradient passes alternated twice, the cheaper of each kept: one pass under a burst of other jobs'
    // load would price every attack pass at that burst.
    const repeats: { forward: Cost; gradient: Cost }[] = [];
    for (let r = 0; r < 2; r++) {
      repeats.push({
        forward: await measure(() => batches((x, _y, n) => classifier.logits(x, n))),
        gradient: await measure(() => batches((x, y, n) => classifier.lossAndGradient(x, n, y, { kind: 'ce' }))),
      });
    }
    const cheapest = (kind: 'forward' | 'gradient'): Cost => repeats.map((r) => r[kind]).reduce((a, b) => (b.cpu < a.cpu ? b : a));
    const forward = cheapest('forward'), gradient = cheapest('gradient');
    const forwardRate = count / forward.wall;
    process.stdout.write(`\n${benchModelLabel(name)}: forward ${forwardRate.toFixed(2)} img/s, forward+input-gradient ${(count / gradient.wall).toFixed(2)} img/s (${(gradient.wall / forward.wall).toFixed(2)} forwards; CPU ${(gradient.cpu / forward.cpu).toFixed(2)})\n`);
    process.stdout.write(`attack          img/s  / forward  grad passes/img  fwd passes/img  ideal / forward  of ideal (wall, CPU)  target (CPU)\n`);
    const why: string[] = [];
    for (const attackName of attacks) {
      const counted = new CountingClassifier(classifier);
      const attack = createBenchAttack(attackName, counted, eps, args);
      const streams = indexStreams(0, attackName, count);
      const cost = await measure(() => batches((x, y, n, start) => attack.run(x, y, n, streams.slice(start, start + n))));
      const gradientPasses = counted.gradientImages / count;
      const ideal = (c: keyof Cost) => (gradientPasses * gradient[c] + forward[c]) / cost[c]; // one verdict forward per image
      const idealRatio = forward.wall / (gradientPasses * gradient.wall + forward.wall);
      const rate = count / cost.wall;
      const forwardPasses = counted.forwardImages / count;
      const met = ideal('cpu') >= TARGET_OF_IDEAL ? 'met' : 'not met';
      process.stdout.write(
        `${attackName.padEnd(14)} ${rate.toFixed(3).padStart(6)}  ${(rate / forwardRate).toFixed(4).padStart(8)}  ${gradientPasses.toFixed(1).padStart(15)}  ${forwardPasses.toFixed(1).padStart(14)}  ${idealRatio.toFixed(4).padStart(15)}  ${ideal('wall').toFixed(2).padStart(10)}, ${ideal('cpu').toFixed(2)}  >= ${TARGET_OF_IDEAL}: ${met}\n`,
      );
      // Where the attack's CPU time went: the ideal; forward passes beyond the verdict's, priced at full batch;
      // model calls costing more than full-batch prices (sub-batches shrunk by early stopping); the attack's own work.
      const idealCpu = gradientPasses * gradient.cpu + forward.cpu;
      const passesCpu = gradientPasses * gradient.cpu + forwardPasses * forward.cpu;
      why.push(`${attackName}: its passes alone allow ${(idealCpu / passesCpu).toFixed(2)} of the ideal (forward passes beyond the verdict's); its model calls cost ${(counted.modelCpu / passesCpu).toFixed(2)}x their full-batch price (sub-batches shrunk by early stopping; load); its own work outside model calls is ${((100 * (cost.cpu - counted.modelCpu)) / cost.cpu).toFixed(1)}% of its CPU time (${((1000 * (cost.cpu - counted.modelCpu)) / Math.max(1, counted.gradientCalls)).toFixed(0)} ms per gradient call)`);
    }
    process.stdout.write(`${why.join('\n')}\n`);
    await classifier.dispose();
  }
  process.stdout.write(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB; load average ${loadavg()[0].toFixed(1)} at the end\n`);
}
