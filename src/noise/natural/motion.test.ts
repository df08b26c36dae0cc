// The padded-row motion blur against its definition: a per-pixel sum over taps with clamped reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticImage } from './fixture.js';
import { motionBlur, motionKernel, motionOffsets } from './motion.js';

/** out(y, x) = sum_i k_i * src(clamp(y - dy_i), clamp(x - dx_i)), accumulated in float32 tap by tap. */
function directMotionBlur(src: Float32Array, width: number, height: number, channels: number, radius: number, sigma: number, angle: number): Float32Array {
  const kernel = motionKernel(radius, sigma);
  const { dx, dy } = motionOffsets(kernel.length, angle);
  const out = new Float32Array(src.length);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let i = 0; i < kernel.length; i++) {
    if (Math.abs(dy[i]) >= height || Math.abs(dx[i]) >= width) break;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
      const s = (clamp(y - dy[i], height) * width + clamp(x - dx[i], width)) * channels + c;
      out[(y * width + x) * channels + c] += kernel[i] * src[s];
    }
  }
  return out;
}

test('motion blur equals the clamped per-pixel sum bit for bit (any angle, taps longer than the image, 1 or 3 channels)', () => {
  const image = syntheticImage(23, 17, 4);
  const grey = image.data.filter((_, i) => i % 3 === 0);
  for (const angle of [-135, -90, -44.5, 0, 17, 45, 90, 180]) {
    for (const [radius, sigma] of [[3, 2], [15, 8], [20, 15]]) {
      assert.deepEqual(motionBlur(image.data, 23, 17, 3, radius, sigma, angle), directMotionBlur(image.data, 23, 17, 3, radius, sigma, angle), `angle ${angle}, radius ${radius}`);
      assert.deepEqual(motionBlur(grey, 23, 17, 1, radius, sigma, angle), directMotionBlur(grey, 23, 17, 1, radius, sigma, angle), `grey, angle ${angle}, radius ${radius}`);
    }
  }
});
