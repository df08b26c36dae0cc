// The pixels a baseline JPEG round trip gives (encode at a quality, decode back), computed in process without
// writing the file: the entropy coding is lossless, so the decoded pixels depend only on the quantised DCT
// coefficients. Every step follows libjpeg-turbo's integer arithmetic, the library PIL and libvips/sharp use, with
// the settings of a default save (jcparam.c: Annex K tables scaled by the quality, 4:2:0 chroma) and a default
// load (jdmaster.c: the "islow" IDCT, fancy upsampling):
//   encode  jccolor.c rgb_ycc_convert, jcsample.c h2v2_downsample (bias 1,2,1,2 and replicated right edge),
//           jcprepct.c bottom padding, jfdctint.c jpeg_fdct_islow, jcdctmgr.c quantize (reciprocal form);
//   decode  jidctint.c jpeg_idct_islow with its range-limit table, jdmainct.c edge context rows,
//           jdsample.c h2v2_fancy_upsample (h2v2_upsample when the chroma plane is at most 2 wide),
//           jdcolor.c ycc_rgb_convert.
// This avoids a codec call's cost: a 224x224 round trip through sharp took about 6 ms of CPU on a quiet machine
// where PIL's encode + decode took 0.5, so most of it is the call, not the codec. jpeg.test.ts checks the pixels
// against sharp's round trip bit for bit, which also pins the tables and constants here and in jpeg-kernel.ts
// (the colour conversions and the per-block work, as WebAssembly SIMD kernels).
import type { FloatImage } from '../../data/image.js';
import { scratch } from '../../util/scratch.js';
import { heap, rgbToYccOnHeap, roundTripBlocksOnHeap, upsampleRowOnHeap, yccToRgbOnHeap } from './wasm-kernels.js';

/** Annex K luminance and chrominance tables (jcparam.c std_luminance_quant_tbl / std_chrominance_quant_tbl). */
export const LUMINANCE_QUANT_TABLE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
export const CHROMINANCE_QUANT_TABLE: readonly number[] = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...Array<number>(32).fill(99),
];

/** A quality's table (jpeg_quality_scaling and jpeg_add_quant_table with force_baseline). */
export function scaledQuantTable(base: readonly number[], quality: number): Int32Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  return Int32Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/**
 * jcdctmgr.c's quantisation by reciprocal (compute_reciprocal with 16-bit DCT elements, as in the SIMD builds):
 * per coefficient, the divisor 8 * q (the FDCT's scale), reciprocal, rounding correction and shift, packed as the
 * block kernel reads them (jpeg-kernel.ts): table, reciprocals, corrections, then 2^(26 - shift). The shift is
 * 18 to 26 (divisors 8 to 2040), and the product below 2^30 (|coefficient| + correction < 2^14, reciprocal
 * < 2^16), so a shift by 18 and a multiply-shift by 2^(26 - shift) / 2^8 floor it exactly as one shift does.
 */
function quantiser(table: Int32Array): Int32Array {
  const packed = new Int32Array(256);
  packed.set(table);
  for (let i = 0; i < 64; i++) {
    const divisor = table[i] * 8;
    const b = 31 - Math.clz32(divisor);
    let r = 16 + b;
    let fq = Math.floor(2 ** r / divisor);
    const fr = 2 ** r % divisor;
    let c = divisor >> 1;
    if (fr === 0) {
      fq = Math.floor(fq / 2);
      r--;
    } else if (fr <= divisor >> 1) c++;
    else fq++;
    packed[64 + i] = fq;
    packed[128 + i] = c;
    packed[192 + i] = 1 << (26 - r);
  }
  return packed;
}

/**
 * Encodes and decodes one component plane in place: `plane` is padded to whole blocks (`stride` x rows), each
 * 8x8 block goes through the FDCT, quantisation, dequantisation and the IDCT (jpeg-kernel.ts, on the kernels' heap).
 */
function roundTripPlane(plane: Uint8Array, stride: number, rows: number, tables: Int32Array): void {
  const size = stride * rows;
  const mark = heap.mark();
  const at = heap.alloc(size / 4), t = heap.alloc(tables.length);
  heap.u8().set(plane.subarray(0, size), at);
  heap.i32().set(tables, t >> 2);
  roundTripBlocksOnHeap(at, stride, rows, t);
  plane.set(heap.u8().subarray(at, at + size));
  heap.release(mark);
}

/** Rounds `n` up to a multiple of `m`. */
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * h2v2_fancy_upsample of a chroma plane (`cw` x `ch` real samples, row stride `stride`) to the full-size plane at
 * heap offset `outAt` (`2 * cw` wide, `height` rows kept, 16 bytes of slack after): the rows above the first and
 * below the last repeat the edge row. The rows go to the heap with their edge samples repeated on both sides.
 */
function upsampleFancy(src: Uint8Array, stride: number, cw: number, ch: number, outAt: number, height: number): void {
  const ow = 2 * cw;
  if (cw <= 2) {
    // h2v2_upsample: plain replication when the plane is too narrow for the fancy filter.
    const out = heap.u8();
    for (let oy = 0; oy < height; oy++) {
      for (let x = 0, near = (oy >> 1) * stride, o = outAt + oy * ow; x < cw; x++) out[o + 2 * x] = out[o + 2 * x + 1] = src[near + x];
    }
    return;
  }
  const lineStride = cw + 2;
  const mark = heap.mark();
  const linesAt = heap.alloc((ch * lineStride + 16) / 4);
  const h = heap.u8();
  for (let y = 0; y < ch; y++) {
    const line = linesAt + y * lineStride, row = y * stride;
    h.set(src.subarray(row, row + cw), line + 1);
    h[line] = src[row];
    h[line + cw + 1] = src[row + cw - 1];
  }
  for (let oy = 0; oy < height; oy++) {
    const y = oy >> 1;
    const yy = oy & 1 ? y + 1 : y - 1;
    const far = yy < 0 ? 0 : yy >= ch ? ch - 1 : yy;
    upsampleRowOnHeap(linesAt + y * lineStride, linesAt + far * lineStride, outAt + oy * ow, cw);
  }
  heap.release(mark);
}

/** Planes padded to whole blocks (jcmaster.c initial_setup): luma `lumaStride` x `lumaRows`, chroma half size. */
interface Planes {
  readonly luma: Uint8Array;
  readonly lumaStride: number;
  readonly lumaRows: number;
  readonly cb: Uint8Array;
  readonly cr: Uint8Array;
  readonly chromaStride: number;
  readonly chromaRows: number;
}

/**
 * Colour conversion and 4:2:0 downsampling with the encoder's edge padding: full-size Cb/Cr rows with the right
 * edge replicated to twice the padded chroma width, 2x2 averages with bias 1,2,1,2; rows come in pairs
 * (max_v_samp_factor = 2) and a missing last row repeats the one above (expand_bottom_edge); the planes' bottom
 * padding repeats their last row (jcprepct.c).
 */
function toYcc420(rgb: Float32Array, width: number, height: number): Planes {
  const lumaStride = roundUp(width, 8), lumaRows = roundUp(height, 8);
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  const chromaStride = roundUp(cw, 8), chromaRows = roundUp(ch, 8);
  const luma = scratch('jpeg.luma', Uint8Array, lumaStride * lumaRows);
  const cb = scratch('jpeg.cb', Uint8Array, chromaStride * chromaRows);
  const cr = scratch('jpeg.cr', Uint8Array, chromaStride * chromaRows);
  const n = roundUp(width * height, 4);
  const mark = heap.mark();
  const rgbAt = heap.alloc(3 * n), yAt = heap.alloc(n), cbAt = heap.alloc(n), crAt = heap.alloc(n);
  heap.f32().set(rgb, rgbAt >> 2);
  rgbToYccOnHeap(rgbAt, n, yAt, cbAt, crAt);
  const h = heap.i32();
  for (let y = 0; y < height; y++) {
    const ly = y * lumaStride;
    luma.set(h.subarray((yAt >> 2) + y * width, (yAt >> 2) + (y + 1) * width), ly);
    luma.fill(luma[ly + width - 1], ly + width, ly + lumaStride);
  }
  for (let y2 = 0; y2 < ch; y2++) {
    const top = 2 * y2 * width, bottom = Math.min(2 * y2 + 1, height - 1) * width;
    downsampleRow(h, (cbAt >> 2) + top, (cbAt >> 2) + bottom, width, cb, y2 * chromaStride, chromaStride);
    downsampleRow(h, (crAt >> 2) + top, (crAt >> 2) + bottom, width, cr, y2 * chromaStride, chromaStride);
  }
  heap.release(mark);
  padBottom(luma, lumaStride, height, lumaRows);
  padBottom(cb, chromaStride, ch, chromaRows);
  padBottom(cr, chromaStride, ch, chromaRows);
  return { luma, lumaStride, lumaRows, cb, cr, chromaStride, chromaRows };
}

/** Repeats row `rows - 1` of a plane down to row `paddedRows - 1`. */
function padBottom(plane: Uint8Array, stride: number, rows: number, paddedRows: number): void {
  for (let y = rows; y < paddedRows; y++) plane.copyWithin(y * stride, (rows - 1) * stride, rows * stride);
}

/**
 * h2v2_downsample of the rows at `top` and `bottom` of `samples` (`width` real samples, the right edge replicated)
 * into `count` samples at `out[at]`.
 */
function downsampleRow(samples: Int32Array, top: number, bottom: number, width: number, out: Uint8Array, at: number, count: number): void {
  const last = width - 1;
  for (let x = 0; x < count; x++) {
    const a = Math.min(2 * x, last), b = Math.min(2 * x + 1, last);
    out[at + x] = (samples[top + a] + samples[top + b] + samples[bottom + a] + samples[bottom + b] + 1 + (x & 1)) >> 2;
  }
}

/**
 * The decoder's output: fancy upsampling of the real chroma samples (the decoder crops the padding) and
 * ycc_rgb_convert to interleaved RGB floats on 8-bit levels (jpeg-kernel.ts, four pixels a step; a row's last step
 * may run past its end into padding or the next row, which comes after).
 */
function toRgb(planes: Planes, width: number, height: number): Float32Array {
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  const chromaWidth = 2 * cw, chromaSize = chromaWidth * height;
  const n = roundUp(width, 4);
  const mark = heap.mark();
  const lumaAt = heap.alloc(planes.luma.length / 4), cbAt = heap.alloc(chromaSize / 4 + 4), crAt = heap.alloc(chromaSize / 4 + 4);
  const outAt = heap.alloc(3 * (width * height + 4));
  heap.u8().set(planes.luma, lumaAt);
  upsampleFancy(planes.cb, planes.chromaStride, cw, ch, cbAt, height);
  upsampleFancy(planes.cr, planes.chromaStride, cw, ch, crAt, height);
  for (let y = 0; y < height; y++) yccToRgbOnHeap(lumaAt + y * planes.lumaStride, cbAt + y * chromaWidth, crAt + y * chromaWidth, outAt + 12 * y * width, n);
  const out = heap.read(outAt, 3 * width * height);
  heap.release(mark);
  return out;
}

/**
 * The image after a baseline JPEG round trip at `quality` with 4:2:0 chroma subsampling, as libjpeg-turbo
 * encodes and decodes it: the samples are saved as 8-bit levels (rounded, clipped) and come back on 8-bit levels.
 */
export function jpegRoundTrip(image: FloatImage, quality: number): FloatImage {
  const { width, height } = image;
  const planes = toYcc420(image.data, width, height);
  const lumaQ = quantiser(scaledQuantTable(LUMINANCE_QUANT_TABLE, quality));
  const chromaQ = quantiser(scaledQuantTable(CHROMINANCE_QUANT_TABLE, quality));
  roundTripPlane(planes.luma, planes.lumaStride, planes.lumaRows, lumaQ);
  roundTripPlane(planes.cb, planes.chromaStride, planes.chromaRows, chromaQ);
  roundTripPlane(planes.cr, planes.chromaStride, planes.chromaRows, chromaQ);
  return { width, height, data: toRgb(planes, width, height) };
}
