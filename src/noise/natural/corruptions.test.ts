// Behaviour of each ImageNet-C corruption: what it must do to an image, per the spec's algorithm and parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatImage } from '../../data/image.js';
import { Rng } from '../../util/rng.js';
import { GAUSSIAN_BLUR, arange, gaussianBlur, glassBlur, motionBlur, zoomBlur } from './blur.js';
import { DEFOCUS_BLUR, defocusBlur, diskKernel } from './defocus.js';
import { BRIGHTNESS, CONTRAST, SATURATE, boxFootprints, brightness, contrast, pixelate, saturate } from './digital.js';
import { elasticTransform } from './elastic.js';
import { gaussianKernel } from './filters.js';
import { syntheticImage } from './fixture.js';
import { FROST, frost, proceduralFrostBank } from './frost.js';
import { GAUSSIAN_NOISE, IMPULSE_NOISE, SHOT_NOISE, SPECKLE_NOISE, gaussianNoise, guidedCdf, impulseNoise, poissonByInversion, poissonCdf, searchCdf, searchGuided, shotNoise, speckleNoise } from './noise.js';
import { motionKernel } from './motion.js';
import { spatter } from './spatter.js';
import { SEVERITIES, type Severity } from './types.js';
import { fog, snow } from './weather.js';

const grey = (value: number, width = 64, height = 64): FloatImage => ({ width, height, data: new Float32Array(width * height * 3).fill(value) });

function stats(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

function residual(a: FloatImage, b: FloatImage): Float64Array {
  return Float64Array.from(a.data, (v, i) => v - b.data[i]);
}

function hsv(r: number, g: number, b: number): [number, number, number] {
  const v = Math.max(r, g, b);
  const d = v - Math.min(r, g, b);
  const s = v === 0 ? 0 : d / v;
  let h = 0;
  if (d > 0) {
    if (v === r) h = ((g - b) / d + 6) % 6;
    else if (v === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
  }
  return [h / 6, s, v];
}

const image = syntheticImage(96, 80, 7);

test('gaussian_noise: residual std is c on a mid-grey image', () => {
  for (const s of [1, 3] as Severity[]) {
    const clean = grey(0.5, 128, 128);
    const { mean, std } = stats(residual(gaussianNoise(clean, s, new Rng(1)), clean));
    const c = GAUSSIAN_NOISE[s - 1];
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(std - c) / c < 0.03, `std ${std} vs ${c}`);
  }
});

test('shot_noise: Poisson photon counts, mean kept and variance x / c', () => {
  const clean = grey(0.5, 128, 128);
  const s = 2;
  const c = SHOT_NOISE[s - 1];
  const out = shotNoise(clean, s, new Rng(2));
  const { mean, std } = stats(out.data);
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std * std - 0.5 / c) / (0.5 / c) < 0.05, `variance ${std * std} vs ${0.5 / c}`);
  // Values are counts / c.
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(out.data[i] * c - Math.round(out.data[i] * c)) < 1e-4);
  // The per-level CDF tables give exactly the draws of direct inversion.
  const rng = new Rng(8);
  for (const lambda of [0, 0.3, 6, 60]) {
    const table = poissonCdf(lambda);
    for (let i = 0; i < 500; i++) {
      const u = rng.uniform();
      assert.equal(searchCdf(table, u), poissonByInversion(lambda, u));
    }
  }
  // Guided search: the same answer as bisection for every u, including the bucket edges, 1 and past the table.
  for (const lambda of [0, 0.3, 6, 12, 60]) {
    const table = poissonCdf(lambda);
    const guided = guidedCdf(table);
    const edges = Array.from({ length: 257 }, (_, j) => j / 256);
    const us = [0, 1, Math.fround(1 - 2 ** -24), ...edges, ...edges.map((e) => e - 2 ** -40), ...Array.from(table), ...Array.from(table, (c) => c + 2 ** -40), ...Array.from({ length: 2000 }, () => rng.uniform())];
    for (const u of us.filter((v) => v >= 0 && v <= 1)) assert.equal(searchGuided(guided, u), searchCdf(table, u), `lambda ${lambda}, u ${u}`);
    // Most buckets hold one answer and need no comparison.
    if (lambda === 12) assert.ok(guided.guide.filter((g) => g < 0).length > 0.7 * guided.guide.length);
  }
});

test('impulse_noise: a fraction c of values become 0 or 1, half each', () => {
  const clean = grey(0.5, 128, 128);
  const s = 4;
  const out = impulseNoise(clean, s, new Rng(3));
  let salt = 0;
  let pepper = 0;
  for (const v of out.data) {
    if (v === 1) salt++;
    else if (v === 0) pepper++;
    else assert.equal(v, 0.5);
  }
  const n = out.data.length;
  assert.ok(Math.abs((salt + pepper) / n - IMPULSE_NOISE[s - 1]) < 0.005);
  assert.ok(Math.abs(salt - pepper) / (salt + pepper) < 0.05);
});

test('speckle_noise: residual std is x * c (multiplicative)', () => {
  for (const level of [0.25, 0.5]) {
    const clean = grey(level, 128, 128);
    const { std } = stats(residual(speckleNoise(clean, 2, new Rng(4)), clean));
    const expected = level * SPECKLE_NOISE[1];
    assert.ok(Math.abs(std - expected) / expected < 0.03, `std ${std} vs ${expected}`);
  }
});

test('blur kernels sum to 1', () => {
  for (const sigma of GAUSSIAN_BLUR) assert.ok(Math.abs(gaussianKernel(sigma).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  for (const [radius, sigma] of [[10, 3], [15, 5], [20, 15]]) assert.ok(Math.abs(motionKernel(radius, sigma).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // The disk kernel sums to 1 while the disk stays off the kernel grid's edge; at radius 8 and 10 it touches the
  // edge and OpenCV's reflected border (around the kernel itself) adds 1.30% and 1.08% (cv2 4.6 gives 1.0129755, 1.0107858).
  const sums = DEFOCUS_BLUR.map(([radius, alias]) => diskKernel(radius, alias).kernel.reduce((a, b) => a + b, 0));
  for (const sum of sums.slice(0, 3)) assert.ok(Math.abs(sum - 1) < 1e-9);
  assert.ok(Math.abs(sums[3] - 1.0129755) < 1e-6 && Math.abs(sums[4] - 1.0107858) < 1e-6, `${sums}`);
});

test('blurs keep a constant image constant', () => {
  const flat = grey(0.3, 48, 40);
  for (const s of SEVERITIES) {
    for (const out of [defocusBlur(flat, s), gaussianBlur(flat, s), zoomBlur(flat, s), motionBlur(flat, s, new Rng(s)), glassBlur(flat, s, new Rng(s))]) {
      // glass quantises to 8 bits between its blurs (floor(0.3 * 255) / 255).
      for (const v of out.data) assert.ok(Math.abs(v - 0.3) < 4e-3, `${v}`);
    }
  }
});

test('gaussian_blur: an impulse spreads with variance sigma^2 per axis', () => {
  const point = grey(0, 61, 61);
  point.data[(30 * 61 + 30) * 3] = 1;
  const out = gaussianBlur(point, 2);
  let total = 0;
  let varX = 0;
  for (let y = 0; y < 61; y++) for (let x = 0; x < 61; x++) {
    const v = out.data[(y * 61 + x) * 3];
    total += v;
    varX += v * (x - 30) ** 2;
  }
  assert.ok(Math.abs(total - 1) < 1e-5);
  assert.ok(Math.abs(varX / total - GAUSSIAN_BLUR[1] ** 2) < 0.05);
});

test('motion_blur: a point becomes a one-sided streak within 45 degrees of horizontal', () => {
  const point = grey(0, 81, 81);
  point.data[(40 * 81 + 40) * 3] = 1;
  const out = motionBlur(point, 1, new Rng(9));
  let mx = 0, my = 0, total = 0;
  for (let y = 0; y < 81; y++) for (let x = 0; x < 81; x++) {
    const v = out.data[(y * 81 + x) * 3];
    total += v;
    mx += v * (x - 40);
    my += v * (y - 40);
  }
  assert.ok(Math.abs(total - 1) < 1e-5);
  // The streak's centre of mass moved off the point, mostly horizontally (|angle| <= 45 degrees).
  assert.ok(Math.hypot(mx, my) / total > 1);
  assert.ok(Math.abs(my) <= Math.abs(mx) + 1e-6);
});

test('zoom_blur: numpy arange factor counts, a fixed centre, a smeared periphery', () => {
  assert.deepEqual([arange(1, 1.11, 0.01).length, arange(1, 1.16, 0.01).length, arange(1, 1.21, 0.02).length, arange(1, 1.26, 0.02).length, arange(1, 1.31, 0.03).length], [12, 16, 11, 13, 11]);
  // A disk at the centre stays (zooms about the centre only enlarge it); a disk near the corner is smeared outwards.
  const scene = grey(0, 81, 81);
  for (let y = 0; y < 81; y++) for (let x = 0; x < 81; x++) {
    const central = (x - 40) ** 2 + (y - 40) ** 2 <= 64;
    const corner = (x - 10) ** 2 + (y - 10) ** 2 <= 16;
    if (central || corner) for (let c = 0; c < 3; c++) scene.data[(y * 81 + x) * 3 + c] = 1;
  }
  const out = zoomBlur(scene, 5);
  const at = (x: number, y: number) => out.data[(y * 81 + x) * 3];
  assert.ok(at(40, 40) > 0.99);
  assert.ok(at(10, 10) < 0.6, `corner ${at(10, 10)}`);
  assert.ok(at(6, 6) > 0.05, 'smeared towards the corner');
});

test('defocus_blur: a point spreads into a disk of the severity radius', () => {
  const point = grey(0, 41, 41);
  point.data[(20 * 41 + 20) * 3] = 1;
  for (const s of [1, 3] as Severity[]) {
    const radius = DEFOCUS_BLUR[s - 1][0];
    const out = defocusBlur(point, s);
    const at = (dx: number, dy: number) => out.data[((20 + dy) * 41 + 20 + dx) * 3];
    assert.ok(at(radius - 1, 0) > 0.5 * at(0, 0));
    assert.ok(at(radius + 2, 0) < 1e-6);
    assert.ok(Math.abs(at(0, radius - 1) - at(radius - 1, 0)) < 1e-6);
  }
});

test('glass_blur: pixels move locally (copied from a neighbour within max_delta), the mean level stays', () => {
  const out = glassBlur(image, 3, new Rng(5));
  const before = stats(image.data).mean;
  const after = stats(out.data).mean;
  assert.ok(Math.abs(before - after) < 0.01);
  const blurredOnly = gaussianBlur(image, 1); // sigma 1 is glass severity 3's sigma
  let differs = 0;
  for (let i = 0; i < out.data.length; i++) if (Math.abs(out.data[i] - blurredOnly.data[i]) > 0.02) differs++;
  assert.ok(differs > out.data.length * 0.05, 'the local shuffle changes the image beyond the blur');
});

test('brightness: HSV value rises by c (clipped at 1), hue and saturation kept', () => {
  for (const s of SEVERITIES) {
    const out = brightness(image, s);
    for (let p = 0; p < image.data.length; p += 97 * 3) {
      const [h0, s0, v0] = hsv(image.data[p], image.data[p + 1], image.data[p + 2]);
      const [h1, s1, v1] = hsv(out.data[p], out.data[p + 1], out.data[p + 2]);
      assert.ok(Math.abs(v1 - Math.min(1, v0 + BRIGHTNESS[s - 1])) < 1e-5);
      assert.ok(Math.abs(s1 - s0) < 1e-5 && Math.abs(h1 - h0) < 1e-4);
    }
  }
});

test('contrast: deviation from each channel mean is scaled by c', () => {
  const s = 2;
  const out = contrast(image, s);
  for (let c = 0; c < 3; c++) {
    const channel = (img: FloatImage) => img.data.filter((_, i) => i % 3 === c);
    const a = channel(image);
    const b = channel(out);
    const ma = stats(a).mean;
    assert.ok(Math.abs(stats(b).mean - ma) < 1e-5);
    for (let i = 0; i < a.length; i += 101) assert.ok(Math.abs(b[i] - ma - CONTRAST[s - 1] * (a[i] - ma)) < 1e-5);
  }
});

test('saturate: HSV saturation becomes clip(S * c0 + c1), hue and value kept', () => {
  for (const s of SEVERITIES) {
    const [gain, offset] = SATURATE[s - 1];
    const out = saturate(image, s);
    for (let p = 0; p < image.data.length; p += 89 * 3) {
      const [h0, s0, v0] = hsv(image.data[p], image.data[p + 1], image.data[p + 2]);
      const [h1, s1, v1] = hsv(out.data[p], out.data[p + 1], out.data[p + 2]);
      const expected = Math.min(1, Math.max(0, s0 * gain + offset));
      assert.ok(Math.abs(s1 - expected) < 1e-5, `S ${s1} vs ${expected}`);
      assert.ok(Math.abs(v1 - v0) < 1e-5);
      if (s1 > 1e-3 && s0 > 1e-3) assert.ok(Math.abs(h1 - h0) < 1e-4);
    }
  }
});

test('pixelate: blocks are box means of the input and constant inside', () => {
  // Severity 2 halves 96x80 to 48x40: every 2x2 block is the mean of its four pixels (to 8-bit rounding).
  const out = pixelate(image, 2);
  for (let by = 0; by < 40; by += 7) for (let bx = 0; bx < 48; bx += 5) for (let c = 0; c < 3; c++) {
    let mean = 0;
    const values: number[] = [];
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
      const p = ((2 * by + dy) * 96 + 2 * bx + dx) * 3 + c;
      mean += image.data[p] / 4;
      values.push(out.data[p]);
    }
    for (const v of values) assert.ok(Math.abs(v - mean) <= 1.01 / 255); // two 8-bit roundings, half a level each
  }
  // Fractional ratios: footprints tile the input without gaps or overlaps (PIL BOX on pixel centres).
  for (const [n, m] of [[224, 56], [224, 67], [97, 29]]) {
    const { start, end } = boxFootprints(n, m);
    assert.equal(start[0], 0);
    assert.equal(end[m - 1], n);
    for (let i = 1; i < m; i++) assert.equal(start[i], end[i - 1]);
  }
  // The number of distinct columns in a row is floor(width * c).
  const row = pixelate(image, 4);
  const columns = new Set<string>();
  for (let x = 0; x < 96; x++) columns.add(Array.from({ length: 80 }, (_, y) => row.data[(y * 96 + x) * 3]).join());
  assert.equal(columns.size, Math.floor(96 * 0.3));
});

test('elastic_transform: small smooth displacements, constant image unchanged', () => {
  const flat = grey(0.6, 50, 40);
  for (const v of elasticTransform(flat, 5, new Rng(1)).data) assert.ok(Math.abs(v - 0.6) < 1e-6);
  const out = elasticTransform(image, 3, new Rng(1));
  const { std } = stats(residual(out, image));
  assert.ok(std > 0.005 && std < 0.2, `residual std ${std}`);
});

test('snow: flakes only brighten (blend towards max(x, 1.5 grey + 0.5) plus the flake layer)', () => {
  const out = snow(image, 3, new Rng(1));
  let brighter = 0;
  for (let i = 0; i < out.data.length; i++) {
    assert.ok(out.data[i] >= Math.min(image.data[i], 1) - 1e-6);
    if (out.data[i] > image.data[i] + 0.1) brighter++;
  }
  assert.ok(brighter > 0);
});

test('frost: c0 * image + c1 * texture, exactly, with a user photograph (kept at 8-bit levels, as the reference reads it)', () => {
  const texture: FloatImage = { width: 128, height: 128, data: new Float32Array(128 * 128 * 3).fill(128 / 255) };
  for (const s of SEVERITIES) {
    const [a, b] = FROST[s - 1];
    const out = frost(image, s, new Rng(1), { frostTextures: [texture] });
    for (let i = 0; i < out.data.length; i += 37) assert.ok(Math.abs(out.data[i] - Math.min(1, a * image.data[i] + (b * 128) / 255)) < 1e-6);
  }
  // The procedural textures stay available.
  const procedural = frost(image, 3, new Rng(1), { frost: 'procedural' });
  assert.notDeepEqual(procedural.data, frost(image, 3, new Rng(1)).data);
  // The procedural bank: six bluish-white textures of moderate mean level.
  const bank = proceduralFrostBank();
  assert.equal(bank.length, 6);
  for (const t of bank) {
    let r = 0, bl = 0;
    for (let p = 0; p < t.data.length; p += 3) {
      r += t.data[p];
      bl += t.data[p + 2];
    }
    const mean = bl / (t.data.length / 3);
    assert.ok(mean > 0.25 && mean < 0.7, `texture mean ${mean}`);
    assert.ok(bl > r);
  }
});

test('fog: adds a [0, c0] plasma field and rescales by max / (max + c0)', () => {
  const clean = grey(0.5, 64, 64);
  const out = fog(clean, 1, new Rng(2));
  // Invert the renormalisation: the added field lies in [0, 1.5] and spans a good part of it.
  const field = Array.from(out.data, (v) => (v * (0.5 + 1.5)) / 0.5 - 0.5);
  assert.ok(Math.min(...field) >= -1e-4 && Math.max(...field) <= 1.5 + 1e-4);
  assert.ok(Math.max(...field) - Math.min(...field) > 0.3);
});

test('spatter: water (severities 1-3) brightens towards pale turquoise, mud (4-5) darkens towards brown', () => {
  const water = spatter(image, 2, new Rng(3));
  for (let i = 0; i < water.data.length; i++) assert.ok(water.data[i] >= image.data[i] - 1e-6);
  const white = grey(1, 96, 80);
  const mud = spatter(white, 5, new Rng(3));
  let changed = 0;
  for (let p = 0; p < mud.data.length; p += 3) {
    if (mud.data[p] < 1) {
      changed++;
      assert.ok(mud.data[p] >= mud.data[p + 1] && mud.data[p + 1] >= mud.data[p + 2], 'brown: R >= G >= B');
    }
  }
  assert.ok(changed > 0);
});
