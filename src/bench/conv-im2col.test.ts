import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, tensor, type OrtTensor } from '../onnx/runtime.js';
import { benchGraph, type Variant } from './conv-im2col.js';
import { geometry, type ConvShape } from './conv-grad.js';

/** (A, B, H, W) → (B, A, H, W): the channel-major lowering's layout back to NCHW. */
function swapLeading(data: Float32Array, dims: readonly number[]): Float32Array {
  const [a, b] = dims;
  const inner = data.length / (a * b);
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(data.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return out;
}

async function runVariant(s: ConvShape, variant: Variant, backward: boolean, batch: number, x: Float32Array, w: Float32Array, dy: Float32Array): Promise<Float32Array[]> {
  const g = geometry(s);
  const out = g.outputSize[0];
  const channelMajor = variant === 'im2col channel-major';
  const xDims = [batch, s.cIn, s.size, s.size];
  const yDims = [batch, s.cOut, out, out];
  const session = await createSession(benchGraph(s, g, variant, backward, batch, w), { threads: 1 }, `${variant} test graph`);
  try {
    const feeds: Record<string, OrtTensor> = {
      x: channelMajor ? tensor('float32', swapLeading(x, xDims), [s.cIn, batch, s.size, s.size]) : tensor('float32', x, xDims),
      w: tensor('float32', w, [s.cOut, s.cIn, s.kernel, s.kernel]),
      dy: channelMajor ? tensor('float32', swapLeading(dy, yDims), [s.cOut, batch, out, out]) : tensor('float32', dy, yDims),
    };
    const result = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]])));
    return session.outputNames.map((name, k) => {
      const data = result[name].data as Float32Array;
      // Channel-major outputs: y as (O, N, …), dx as (C, N, …); dw is (O, C, kh, kw) in every variant.
      return channelMajor && k === 0 ? swapLeading(data, result[name].dims) : data;
    });
  } finally {
    await session.release();
  }
}

test('the im2col lowerings the conv-im2col bench times compute the Conv and its gradients', async () => {
  const values = (n: number, prime: number) => Float32Array.from({ length: n }, (_, i) => ((i * prime) % 97) / 97 - 0.5);
  const batch = 2;
  const shapes: ConvShape[] = [
    { layer: 'test 3×3', count: 1, cIn: 3, cOut: 4, kernel: 3, stride: 1, size: 6 },
    { layer: 'test 3×3/2', count: 1, cIn: 3, cOut: 4, kernel: 3, stride: 2, size: 7 },
    { layer: 'test 1×1/2', count: 1, cIn: 3, cOut: 5, kernel: 1, stride: 2, size: 6 },
  ];
  for (const s of shapes) {
    const out = geometry(s).outputSize[0];
    const x = values(batch * s.cIn * s.size * s.size, 31);
    const w = values(s.cOut * s.cIn * s.kernel * s.kernel, 17);
    const dy = values(batch * s.cOut * out * out, 13);
    for (const backward of [false, true]) {
      const reference = await runVariant(s, 'conv fed', backward, batch, x, w, dy);
      for (const variant of ['conv constant', 'im2col', 'im2col channel-major'] as const) {
        if (backward && variant === 'conv constant') continue;
        const got = await runVariant(s, variant, backward, batch, x, w, dy);
        assert.equal(got.length, reference.length);
        got.forEach((values, k) => {
          assert.equal(values.length, reference[k].length, `${s.layer} ${variant} output ${k}`);
          values.forEach((v, i) => assert.ok(Math.abs(v - reference[k][i]) <= 1e-4, `${s.layer} ${variant} ${backward ? 'backward' : 'forward'} output ${k}[${i}]: ${v} vs ${reference[k][i]}`));
        });
      }
    }
  }
});
