import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatImage } from '../../data/image.js';
import { syntheticImage } from './fixture.js';
import { ALL_PERTURBATIONS, FRAMES, NOISE_LIKE, perturbationFrame, perturbationNoise, perturbationSequence, warp } from './imagenet-p.js';
import { Rng } from '../../util/rng.js';

const image = syntheticImage(64, 48, 5);

function meanAbsDiff(a: FloatImage, b: FloatImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}

test('every perturbation gives 31 frames of the image size; any frame alone equals the sequence frame', () => {
  for (const type of ALL_PERTURBATIONS) {
    const frames = perturbationSequence(image, type, 9);
    assert.equal(frames.length, FRAMES);
    for (const f of frames) {
      assert.equal(f.width, 64);
      assert.equal(f.height, 48);
      for (const v of f.data) assert.ok(v >= 0 && v <= 1);
    }
    assert.deepEqual(perturbationFrame(image, type, 17, 9).data, frames[17].data, type);
  }
});

test('step perturbations start at the clean image and drift away monotonically; noise frames are independent draws', () => {
  for (const type of ALL_PERTURBATIONS) {
    const frames = perturbationSequence(image, type, 3);
    const drift = frames.map((f) => meanAbsDiff(f, image));
    if (type === 'snow') {
      // The flakes fall: the amount of snow stays, consecutive frames differ.
      assert.ok(Math.abs(drift[30] - drift[1]) < 0.3 * drift[1] && meanAbsDiff(frames[10], frames[11]) > 0.001);
    } else if (NOISE_LIKE.has(type)) {
      // Every frame is equally far from the clean image and different from the others.
      assert.ok(Math.abs(drift[30] - drift[1]) < 0.2 * drift[1], type);
      assert.ok(meanAbsDiff(frames[1], frames[2]) > 0.5 * drift[1], type);
    } else {
      if (type !== 'gaussian_blur') assert.ok(drift[0] < 1e-6, `${type} frame 0 is clean`);
      assert.ok(drift[30] > drift[5] && drift[5] >= drift[0], `${type}: ${drift[0]} ${drift[5]} ${drift[30]}`);
      // One step is smaller than ten.
      assert.ok(meanAbsDiff(frames[10], frames[11]) < meanAbsDiff(frames[10], frames[20]), type);
    }
  }
});

test('geometric warps: identity is exact, a one-pixel translation shifts pixels', () => {
  assert.deepEqual(warp(image, [1, 0, 0, 0, 1, 0, 0, 0, 1]).data, image.data);
  const shifted = warp(image, [1, 0, 1, 0, 1, 0, 0, 0, 1]);
  for (let y = 0; y < 48; y += 5) for (let x = 0; x < 60; x += 7) assert.ok(Math.abs(shifted.data[(y * 64 + x) * 3] - image.data[(y * 64 + x + 1) * 3]) < 1e-6);
});

test('perturbationNoise is the ImageNoise of one frame, keyed by the rng seed', () => {
  const noise = perturbationNoise('rotate', 7);
  assert.equal(noise.name, 'rotate/07');
  assert.deepEqual((noise.apply(image, new Rng(4)) as FloatImage).data, perturbationFrame(image, 'rotate', 7, 4).data);
});
