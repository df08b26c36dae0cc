// Shared pieces of the resizer family: argument checks and the float -> 8-bit conversions libraries use.
import type { RgbImage } from '../image.js';
import { RobustartError } from '../../errors.js';

/** Rejects sizes no library accepts, naming the resizer and the fix. */
export function checkResizeArgs(name: string, image: RgbImage, width: number, height: number): void {
  for (const [label, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RobustartError(`resizer ${name}: output ${label} ${v} must be a positive integer`);
  }
  if (image.width < 1 || image.height < 1 || image.data.length !== image.width * image.height * 3) {
    throw new RobustartError(`resizer ${name}: input must be a non-empty ${image.width}x${image.height} RGB image (got ${image.data.length} bytes)`);
  }
}

/** Round half to even, as C's lrint/rint, numpy's rint and torch.round do. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Float samples -> 8-bit: round half to even, then clamp (torchvision's cast for uint8 tensors; tf.round + clip). */
export function floatToU8(values: Float32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = roundHalfEven(values[i]);
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v; // NaN -> 0
  }
  return out;
}

export const f32 = Math.fround;
