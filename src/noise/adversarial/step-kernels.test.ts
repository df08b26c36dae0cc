import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { ApgdArrays, ascendLinf, ascendProjectLinf, momentumStepLinf } from './step-kernels.js';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Arrays that reach every branch of the step: gradients of both signs, ±0 and NaN; clean pixels at 0, −0 and 1;
 * iterates inside, on and outside the ε-ball and the box.
 */
function fill(arrays: ApgdArrays, rng: Rng, eps: number): void {
  const { x, xPrev, g, clean } = arrays;
  for (let i = 0; i < x.length; i++) {
    const c = i % 17 === 0 ? 0 : i % 19 === 0 ? -0 : i % 23 === 0 ? 1 : rng.uniform();
    clean[i] = c;
    x[i] = c + rng.uniformIn(-2 * eps, 2 * eps);
    xPrev[i] = i % 29 === 0 ? x[i] : c + rng.uniformIn(-eps, eps);
    g[i] = i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : i % 997 === 0 ? NaN : rng.normal();
  }
}

test('the WebAssembly APGD L∞ step gives the bits of the JavaScript step, tails and unaligned samples included', () => {
  const rng = new Rng(4);
  for (const size of [64, 150, 3 * 11 * 13]) {
    for (const eps of [0.05 / 255, 8 / 255, 0.3]) {
      for (const alpha of [1, 0.75]) {
        const m = 3;
        const wasm = new ApgdArrays(m * size);
        fill(wasm, rng, eps);
        const js = { x: wasm.x.slice(), xPrev: wasm.xPrev.slice(), g: wasm.g.slice(), clean: wasm.clean.slice() };
        const eta = Math.fround(2 * eps * rng.uniform());
        for (let a = 0; a < m; a++) {
          wasm.momentumStepLinf(a * size, size, eta, alpha, eps);
          momentumStepLinf(js.x, js.xPrev, js.g, js.clean, a * size, (a + 1) * size, eta, alpha, eps);
        }
        assert.ok(bytes(wasm.x).equals(bytes(js.x)), `x differs: size ${size}, ε ${eps}, α ${alpha}`);
        assert.ok(bytes(wasm.xPrev).equals(bytes(js.xPrev)), `x_prev differs: size ${size}, ε ${eps}, α ${alpha}`);
        // The step moved the iterates, and every finite one lies in the box and the ε-ball (up to the rounding of c + δ
        // to float32: half an ulp of 1).
        assert.ok(!bytes(wasm.x).equals(bytes(wasm.xPrev)));
        for (let i = 0; i < wasm.x.length; i++) {
          if (Number.isNaN(wasm.x[i])) continue;
          assert.ok(wasm.x[i] >= 0 && wasm.x[i] <= 1 && Math.abs(wasm.x[i] - wasm.clean[i]) <= Math.fround(eps) + 2 ** -24, `coordinate ${i}`);
        }
      }
    }
  }
});

test('a sign change of a zero gradient does not move the step: −0 and +0 give the same iterate', () => {
  const pos = new ApgdArrays(8), neg = new ApgdArrays(8);
  for (const a of [pos, neg]) {
    a.clean.fill(0.5);
    a.x.fill(0.5);
    a.xPrev.fill(0.5);
  }
  pos.g.fill(0);
  neg.g.fill(-0);
  pos.momentumStepLinf(0, 8, 0.01, 0.75, 0.02);
  neg.momentumStepLinf(0, 8, 0.01, 0.75, 0.02);
  assert.ok(bytes(pos.x).equals(bytes(neg.x)));
  assert.deepEqual(Array.from(pos.x), new Array(8).fill(0.5));
});

test('the WebAssembly projected-gradient L∞ step gives the bits of the JavaScript step, ascending and descending', () => {
  const rng = new Rng(9);
  for (const size of [64, 3 * 11 * 13]) {
    for (const eps of [0.05 / 255, 8 / 255, 0.3]) {
      for (const a of [(2.5 * eps) / 7, (-2.5 * eps) / 7, 1 / 255]) {
        const m = 3;
        const arrays = new ApgdArrays(m * size);
        fill(arrays, rng, eps);
        const { x, xPrev: x0, g } = arrays;
        const js = x.slice();
        for (let k = 0; k < m; k++) {
          ascendProjectLinf(x, x0, g, k * size, size, a, eps);
          ascendLinf(js, x0, g, k * size, (k + 1) * size, a, eps);
        }
        assert.ok(bytes(x).equals(bytes(js)), `x differs: size ${size}, ε ${eps}, a ${a}`);
        assert.ok(x.some((v, i) => v !== x0[i]));
      }
    }
  }
});
