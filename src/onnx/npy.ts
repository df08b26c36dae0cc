// NumPy .npy files (format version 1.0/2.0, C order, little-endian), so gradients and inputs can be
// checked from Python with numpy.load. Spec: numpy.lib.format (NEP 1).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { RobustartError } from '../errors.js';

export type NpyArray =
  | { readonly dtype: 'float32'; readonly shape: number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly shape: number[]; readonly data: Float64Array }
  | { readonly dtype: 'int64'; readonly shape: number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'int32'; readonly shape: number[]; readonly data: Int32Array }
  | { readonly dtype: 'uint8'; readonly shape: number[]; readonly data: Uint8Array };

const DESCR: Record<string, NpyArray['dtype']> = { '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32', '|u1': 'uint8', '<u1': 'uint8' };
const DESCR_OF: Record<NpyArray['dtype'], string> = { float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', uint8: '|u1' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(bytes: Uint8Array, source = 'array'): NpyArray {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new RobustartError(`${source} is not a .npy file (bad magic); save it with numpy.save`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = DESCR[descr];
  if (!dtype) throw new RobustartError(`${source} has dtype '${descr}'; robustart reads float32, float64, int64, int32 and uint8 .npy files (use arr.astype(np.float32))`);
  if (fortran) throw new RobustartError(`${source} is in Fortran order; save a C-ordered array (np.ascontiguousarray)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const body = new Uint8Array(bytes.subarray(offset, offset + count * bytesPer(dtype))); // a copy, aligned
  if (body.length !== count * bytesPer(dtype)) throw new RobustartError(`${source} is truncated: shape (${shape.join(', ')}) needs ${count * bytesPer(dtype)} bytes of data`);
  const buffer = body.buffer;
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: new Float32Array(buffer, 0, count) };
    case 'float64':
      return { dtype, shape, data: new Float64Array(buffer, 0, count) };
    case 'int64':
      return { dtype, shape, data: new BigInt64Array(buffer, 0, count) };
    case 'int32':
      return { dtype, shape, data: new Int32Array(buffer, 0, count) };
    case 'uint8':
      return { dtype, shape, data: new Uint8Array(buffer, 0, count) };
  }
}

function bytesPer(dtype: NpyArray['dtype']): number {
  return dtype === 'float64' || dtype === 'int64' ? 8 : dtype === 'uint8' ? 1 : 4;
}

export function readNpy(path: string): NpyArray {
  if (!existsSync(path)) throw new RobustartError(`.npy file not found: ${path}`);
  return parseNpy(readFileSync(path), path);
}

export function encodeNpy(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so the data starts on a 64-byte boundary, header ending in '\n' (format spec).
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + header.length);
  return out;
}

export function writeNpy(path: string, array: NpyArray): void {
  writeFileSync(path, encodeNpy(array));
}

/** Values as float32 (from any numeric dtype). */
export function npyToFloat32(array: NpyArray): Float32Array {
  if (array.dtype === 'float32') return array.data;
  return Float32Array.from(array.data as ArrayLike<number | bigint>, Number);
}

/** Values as int32 class indices. */
export function npyToInt32(array: NpyArray): Int32Array {
  if (array.dtype === 'int32') return array.data;
  return Int32Array.from(array.data as ArrayLike<number | bigint>, Number);
}
