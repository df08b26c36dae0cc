import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DifferentiableClassifier } from '../model/differentiable.js';
import { RobustartError } from '../errors.js';
import { CountingClassifier, fractions, passPrices, type CalibrationRound } from './attack.js';

const round = (forwardCpu: number, gradientCpu: number): CalibrationRound => ({
  forward: { wall: forwardCpu / 2, cpu: forwardCpu },
  gradient: { wall: gradientCpu / 2, cpu: gradientCpu },
});

test('passes are priced at the median of the calibration rounds around an attack, wall and CPU apart: one burst moves nothing', () => {
  const quiet = passPrices([round(1, 3), round(1.2, 3.2), round(1.1, 3.1)]);
  assert.deepEqual(quiet, { forward: { wall: 0.55, cpu: 1.1 }, gradient: { wall: 1.55, cpu: 3.1 } });
  assert.deepEqual(passPrices([round(1, 3), round(1.2, 3.2), round(1.1, 3.1), round(9, 30), round(0.2, 0.5)]), quiet);
  // An even count takes the middle two's mean, not the cheaper: the price of a typical call, never a lucky one.
  assert.equal(passPrices([round(1, 2), round(1, 4)]).gradient.cpu, 3);
  assert.throws(() => passPrices([]), RobustartError);
});

/** A model that records who called it: the attack (its own images) or the pairing (the outer batch's images). */
function recordingModel(outerImages: Float32Array, calls: string[]): DifferentiableClassifier {
  const who = (images: Float32Array) => (images === outerImages ? 'calibration' : 'attack');
  return {
    inputShape: [1, 1, 1],
    numClasses: 2,
    async logits(images, batch) {
      calls.push(`${who(images)} forward ${batch}`);
      return new Float32Array(batch * 2);
    },
    async lossAndGradient(images, batch, _labels, loss) {
      calls.push(`${who(images)} ${loss.kind} ${batch}`);
      return { loss: new Float32Array(batch), gradient: new Float32Array(batch), logits: new Float32Array(batch * 2) };
    },
  };
}

test('paired pricing: every model call of the attack has a CE or forward calibration call on the whole outer batch beside it, before and after in turn', async () => {
  const outer = new Float32Array(4);
  const calls: string[] = [];
  const model = recordingModel(outer, calls);
  const counted = new CountingClassifier(model, true);
  counted.outer = { images: outer, labels: new Int32Array(4), size: 4, index: 0 };
  await counted.lossAndGradient(new Float32Array(4), 4, new Int32Array(4), { kind: 'dlr' });
  await counted.lossAndGradient(new Float32Array(2), 2, new Int32Array(2), { kind: 'ce' });
  await counted.logits(new Float32Array(2), 2);
  assert.deepEqual(calls, ['calibration ce 4', 'attack dlr 4', 'attack ce 2', 'calibration ce 4', 'calibration forward 4', 'attack forward 2']);
  assert.deepEqual([counted.gradientCalls, counted.gradientImages, counted.forwardImages], [2, 6, 2]);
  assert.ok(counted.calibrationSpent.cpu >= 0 && counted.calibrationSpent.wall > 0);
  const fallback = round(100, 300);
  const one = counted.pairedPrices(1, fallback);
  assert.ok(one.gradient.cpu < 100 && one.forward.cpu < 100, 'both kinds priced by their paired calls');
  // A second outer batch without a forward call of its own: forward passes keep the rounds' price.
  counted.outer = { images: outer, labels: new Int32Array(4), size: 4, index: 1 };
  await counted.lossAndGradient(new Float32Array(4), 4, new Int32Array(4), { kind: 'ce' });
  const two = counted.pairedPrices(2, fallback);
  assert.deepEqual(two.forward, fallback.forward);
  assert.ok(two.gradient.cpu < 100);
});

test('without pairing the attack calls the model alone', async () => {
  const calls: string[] = [];
  const counted = new CountingClassifier(recordingModel(new Float32Array(4), calls));
  await counted.lossAndGradient(new Float32Array(4), 4, new Int32Array(4), { kind: 'ce' });
  await counted.logits(new Float32Array(4), 4);
  assert.deepEqual(calls, ['attack ce 4', 'attack forward 4']);
  assert.deepEqual(counted.calibrationSpent, { wall: 0, cpu: 0 });
});

test('fractions: the ideal counts one forward per image beyond the gradient passes; the passes an attack made bound it, and its own cost divides the rest', () => {
  // 2 gradient passes at 3 s and 2 forward passes at 1 s (a clean check beside the verdict) in 8 s of CPU.
  const f = fractions(2, 2, round(1, 3), { wall: 100, cpu: 8 }, 'cpu');
  assert.deepEqual(f, { ofIdeal: 7 / 8, passesAllow: 7 / 8, ofPasses: 1 });
  const slower = fractions(2, 2, round(1, 3), { wall: 100, cpu: 10 }, 'cpu');
  assert.equal(slower.passesAllow, 7 / 8, 'what the passes allow does not depend on the attack\'s own cost');
  assert.equal(slower.ofPasses, 0.8);
  assert.ok(Math.abs(slower.ofIdeal - slower.passesAllow * slower.ofPasses) < 1e-12);
  assert.equal(fractions(2, 2, round(1, 3), { wall: 4, cpu: 100 }, 'wall').ofIdeal, 3.5 / 4, 'wall time priced by wall prices');
});
