import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FloatImage } from '../../data/image.js';
import { rampImage, syntheticImage } from './fixture.js';
import { ALL_PERTURBATIONS, NOISE_LIKE, centreCrop, frameCount, perturbationFrame, perturbationNoise, perturbationSequence, warp } from './imagenet-p.js';
import { Rng } from '../../util/rng.js';

const image = syntheticImage(64, 48, 5);

function meanAbsDiff(a: FloatImage, b: FloatImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}

test('every perturbation gives 31 frames (translate 41) of the image size; any frame alone equals the sequence frame', () => {
  for (const type of ALL_PERTURBATIONS) {
    const frames = perturbationSequence(image, type, 9);
    assert.equal(frames.length, type === 'translate' ? 41 : 31);
    assert.equal(frameCount(type), frames.length);
    for (const f of frames) {
      assert.equal(f.width, 64);
      assert.equal(f.height, 48);
      for (const v of f.data) assert.ok(v >= 0 && v <= 1);
    }
    assert.deepEqual(perturbationFrame(image, type, 17, 9).data, frames[17].data, type);
  }
});

test('the reference steps: symmetric sweeps pass through the clean image, noise frames are independent draws around it', () => {
  // The frame where the step is zero: rotate/shear/tilt/brightness at i = 15, translate at 20, scale at 24 (2.5 i + 40 = 100).
  const identity: Partial<Record<string, number>> = { rotate: 15, shear: 15, brightness: 15, translate: 20, scale: 24, zoom_blur: 0 };
  for (const [type, i] of Object.entries(identity)) assert.ok(meanAbsDiff(perturbationFrame(image, type as never, i!, 1), image) < 1e-6, type);
  // tilt's reference matrices leave a zoom by s = f / (1 + f) about the centre at zero angle (f = the diagonal):
  // x' = s x + (w / 2)(1 - s).
  const f = Math.hypot(64, 48);
  const s = f / (1 + f);
  const zoomOut = warp(image, [1 / s, 0, (-32 * (1 - s)) / s, 0, 1 / s, (-24 * (1 - s)) / s, 0, 0, 1]);
  assert.ok(meanAbsDiff(perturbationFrame(image, 'tilt', 15, 1), zoomOut) < 1e-5);
  for (const type of NOISE_LIKE) {
    const frames = perturbationSequence(image, type, 3);
    assert.equal(meanAbsDiff(frames[0], image), 0, `${type}: frame 0 is clean`);
    assert.ok(meanAbsDiff(frames[1], frames[2]) > 0.5 * meanAbsDiff(frames[1], image), `${type}: frames are fresh draws`);
    assert.ok(Math.abs(meanAbsDiff(frames[30], image) - meanAbsDiff(frames[1], image)) < 0.2 * meanAbsDiff(frames[1], image));
  }
  // Steps are small: one step changes the image less than ten.
  for (const type of ALL_PERTURBATIONS) {
    if (NOISE_LIKE.has(type)) continue;
    const frames = perturbationSequence(image, type, 3);
    assert.ok(meanAbsDiff(frames[10], frames[11]) < meanAbsDiff(frames[10], frames[20]), type);
    assert.ok(meanAbsDiff(frames[10], frames[11]) > 0, `${type} moves`);
  }
});

test('with a larger context image, geometric frames bring outside content into the crop and fill with black beyond it', () => {
  const context = syntheticImage(96, 80, 6);
  const crop = { width: 64, height: 48 };
  const clean = centreCrop(context, 64, 48);
  assert.ok(meanAbsDiff(perturbationFrame(context, 'rotate', 15, 0, { crop }), clean) < 1e-6);
  // A 20 px shift left of a 96-wide image into a centred 64-wide crop stays inside the context: no black.
  const shifted = perturbationFrame(context, 'translate', 0, 0, { crop });
  assert.ok(meanAbsDiff(shifted, centreCrop(warp(context, [1, 0, 20, 0, 1, 0, 0, 0, 1], 'zero'), 64, 48)) < 1e-6);
  // Scale 0.4 shrinks the context inside the crop: its border is black.
  const small = perturbationFrame(context, 'scale', 0, 0, { crop });
  assert.equal(small.data[0] + small.data[1] + small.data[2], 0);
  // Non-geometric frames act on the crop.
  assert.deepEqual(perturbationFrame(context, 'gaussian_noise', 0, 0, { crop }).data, clean.data);
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

test('rotate, scale and shear frames match old torchvision affine on PIL (make_imagenet_p.py) to within one level on average', () => {
  // tools/natural-noise-reference.py imagenet-p: a 50x42 context image, centre crop 40x32, frames as 8-bit PNG pixels.
  const reference = JSON.parse(readFileSync(new URL('../../../src/noise/natural/fixtures/imagenet-p-reference.json', import.meta.url), 'utf8'));
  const context = rampImage(reference.width, reference.height, reference.k);
  const [width, height] = reference.crop as [number, number];
  for (const [type, frames] of Object.entries(reference.types as Record<string, string[]>)) {
    (reference.frames as number[]).forEach((i, f) => {
      const expected = Buffer.from(frames[f], 'base64');
      const ours = perturbationFrame(context, type as never, i, 0, { crop: { width, height } });
      let sum = 0;
      for (let p = 0; p < expected.length; p++) sum += Math.abs(ours.data[p] * 255 - expected[p]);
      assert.ok(sum / expected.length <= 1, `${type} frame ${i}: mean difference ${(sum / expected.length).toFixed(2)} levels`);
    });
  }
});
