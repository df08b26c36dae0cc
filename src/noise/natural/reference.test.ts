// The reimplemented library operations against outputs of the libraries themselves (OpenCV 4.6, PIL 9.4,
// colorsys, scipy 1.10, scikit-image 0.19),
// produced by tools/natural-noise-reference.py into fixtures/library-reference.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FloatImage } from '../../data/image.js';
import { defocusBlur } from './defocus.js';
import { brightness, pixelate, saturate } from './digital.js';
import { ELASTIC_TRANSFORM_ORIGINAL, elasticFromNoise, elasticOriginalFromDraws } from './elastic.js';
import { gaussianBlur, zoomBlur } from './blur.js';
import { SEVERITIES } from './types.js';
import { canny, distanceTransformL2, equalizeHistogram, filter3x3ToByte } from './vision.js';

// Resolves from src/ and from dist/ alike (the fixture stays in src/).
const reference = JSON.parse(readFileSync(new URL('../../../src/noise/natural/fixtures/library-reference.json', import.meta.url), 'utf8'));
const image: FloatImage = { width: reference.width, height: reference.height, data: Float32Array.from(reference.image as number[], (v) => v / 255) };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('defocus_blur matches cv2.GaussianBlur(disk) + cv2.filter2D at every severity', () => {
  for (const s of SEVERITIES) {
    const expected = (reference.defocus_blur[s - 1] as number[]).map((v) => Math.min(1, Math.max(0, v)));
    assert.ok(maxAbsDiff(defocusBlur(image, s).data, expected) < 5e-6, `severity ${s}`);
  }
});

test('pixelate matches PIL resize BOX then NEAREST (8-bit output)', () => {
  for (const s of SEVERITIES) {
    const ours = Array.from(pixelate(image, s).data, (v) => v * 255);
    assert.ok(maxAbsDiff(ours, reference.pixelate[s - 1]) < 1e-3, `severity ${s}`);
  }
});

test('brightness and saturate match the HSV round trip', () => {
  for (const s of SEVERITIES) {
    assert.ok(maxAbsDiff(brightness(image, s).data, reference.brightness[s - 1]) < 5e-6, `brightness ${s}`);
    assert.ok(maxAbsDiff(saturate(image, s).data, reference.saturate[s - 1]) < 5e-6, `saturate ${s}`);
  }
});

test("spatter's OpenCV steps: Canny, distanceTransform(DIST_L2, 5), equalizeHist, filter2D to bytes", () => {
  const { width, height } = reference.field;
  const field = Uint8Array.from(reference.field.data as number[]);
  const edges = canny(field, width, height, 50, 150);
  assert.deepEqual(Array.from(edges), reference.canny);
  const distance = distanceTransformL2(Uint8Array.from(reference.canny as number[]), width, height);
  assert.ok(maxAbsDiff(distance, reference.distance) < 1e-3);
  assert.deepEqual(Array.from(equalizeHistogram(field)), reference.equalized);
  assert.deepEqual(Array.from(filter3x3ToByte(field, width, height, [-2, -1, 0, -1, 1, 1, 0, 1, 2])), reference.embossed);
});

test('gaussian_blur matches skimage.filters.gaussian; zoom_blur matches the mean of scipy.ndimage.zoom clipped zooms', () => {
  for (const s of SEVERITIES) {
    assert.ok(maxAbsDiff(gaussianBlur(image, s).data, reference.gaussian_blur[s - 1]) < 5e-6, `gaussian_blur ${s}`);
    assert.ok(maxAbsDiff(zoomBlur(image, s).data, reference.zoom_blur[s - 1]) < 5e-6, `zoom_blur ${s}`);
  }
});

test('elastic_transform, given its noise fields, matches skimage gaussian + scipy map_coordinates', () => {
  const noiseX = Float32Array.from(reference.elastic_noise.x as number[]);
  const noiseY = Float32Array.from(reference.elastic_noise.y as number[]);
  for (const s of SEVERITIES) {
    assert.ok(maxAbsDiff(elasticFromNoise(image, s, noiseX, noiseY).data, reference.elastic_transform[s - 1]) < 1e-5, `elastic ${s}`);
  }
});

test("elastic_transform 'original', given its draws, matches cv2.getAffineTransform + warpAffine, then skimage gaussian + map_coordinates", () => {
  const draws = reference.elastic_original_draws;
  const noiseX = Float32Array.from(draws.x as number[]);
  const noiseY = Float32Array.from(draws.y as number[]);
  const scale = Math.min(image.width, image.height) / 224;
  for (const s of SEVERITIES) {
    const shift = ELASTIC_TRANSFORM_ORIGINAL[s - 1][2] * scale;
    const shifts = (draws.shifts as number[]).slice((s - 1) * 6, s * 6).map((v) => v * shift);
    const out = elasticOriginalFromDraws(image, s, shifts, noiseX, noiseY).data;
    // The noise fields are float32 here and float64 there; OpenCV's 1/32-pixel warp is reproduced (~1e-6 apart).
    assert.ok(maxAbsDiff(out, reference.elastic_original[s - 1]) < 1e-5, `elastic original ${s}: ${maxAbsDiff(out, reference.elastic_original[s - 1])}`);
  }
});
