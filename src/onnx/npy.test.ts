import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNpy, parseNpy } from './npy.js';

test('npy round trip keeps dtype, shape and values, and aligns the data to 64 bytes', () => {
  const arrays = [
    { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(1, 2.5, -3, 4, 5, 6) },
    { dtype: 'int64' as const, shape: [3], data: BigInt64Array.of(1n, -2n, 9n) },
    { dtype: 'float64' as const, shape: [], data: Float64Array.of(Math.PI) },
  ];
  for (const a of arrays) {
    const bytes = encodeNpy(a);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    assert.equal((10 + headerLength) % 64, 0);
    const back = parseNpy(bytes);
    assert.equal(back.dtype, a.dtype);
    assert.deepEqual(back.shape, a.shape);
    assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(a.data as ArrayLike<unknown>));
  }
});

test('npy rejects a file that is not npy and an unsupported dtype, naming the fix', () => {
  assert.throws(() => parseNpy(new Uint8Array(20), 'x.npy'), /x.npy is not a .npy file/);
  const bytes = encodeNpy({ dtype: 'float32', shape: [1], data: Float32Array.of(1) });
  const text = new TextDecoder('latin1').decode(bytes).replace('<f4', '<f2');
  assert.throws(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'h.npy'), /dtype '<f2'/);
});
