// OpenCV's cv::resize for 8-bit 3-channel images (OpenCV 4.x imgproc/src/resize.cpp, no IPP), reproduced from its
// documented and observable behaviour. Facts reproduced:
//  - scale = src/dst per axis (double); half-pixel source position (dx + 0.5) * scale - 0.5 rounded to float;
//  - INTER_NEAREST: sx = min(floor(dx * (1 / (dst/src))), src - 1), no half-pixel shift;
//  - INTER_LINEAR / INTER_CUBIC (a = -0.75) / INTER_LANCZOS4 (8 taps): separable, horizontal pass into an int buffer with
//    11-bit coefficients (INTER_RESIZE_COEF_SCALE = 2048, rounded half to even), vertical pass with 11-bit coefficients
//    and a 22-bit rounding shift; linear clamps the source position into the image, cubic and lanczos clamp taps;
//  - the 8-bit vertical linear pass is not the exact 22-bit formula: it computes ((S0 >> 4) * b0 >> 16) +
//    ((S1 >> 4) * b1 >> 16), then (sum + 2) >> 2 (the SIMD kernel's arithmetic; OpenCV 4.6 gives it on every column,
//    the fixtures match it exactly and the 22-bit formula is off by one level on some pixels);
//  - INTER_LINEAR with an exact 2x downscale on both axes is INTER_AREA;
//  - INTER_AREA, downscale on both axes: integer factors use a block mean ((sum + 2) >> 2 for 2x2, otherwise
//    round(sum * (1/area)) in float), other factors use exact pixel-overlap weights accumulated in float;
//    upscaling on either axis uses bilinear weights derived from pixel overlap (area_mode).
import type { RgbImage } from '../../../data/image.js';
import type { Resizer } from '../../../data/seams.js';
import { checkResizeArgs, f32, roundHalfEven } from '../../../data/resize/common.js';

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;
const CN = 3;
export type Cv2Interpolation = 'nearest' | 'linear' | 'cubic' | 'area' | 'lanczos4';

const sat8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Keys cubic with a = -0.75 evaluated at the four taps around fx (float arithmetic as in interpolateCubic). */
function cubicCoeffs(fx: number, out: Float32Array): void {
  const A = -0.75;
  const x1 = f32(fx + 1);
  out[0] = f32(f32(f32(f32(f32(f32(A * x1) - 5 * A) * x1) + 8 * A) * x1) - 4 * A);
  out[1] = f32(f32(f32(f32(f32((A + 2) * fx) - (A + 3)) * fx) * fx) + 1);
  const x2 = f32(1 - fx);
  out[2] = f32(f32(f32(f32(f32((A + 2) * x2) - (A + 3)) * x2) * x2) + 1);
  out[3] = f32(f32(f32(1 - out[0]) - out[1]) - out[2]);
}

/** Lanczos (a = 4) at the eight taps around fx: sin via the angle-addition table, normalised in float. */
function lanczos4Coeffs(fx: number, out: Float32Array): void {
  const s45 = Math.SQRT1_2;
  const cs = [[1, 0], [-s45, -s45], [0, 1], [s45, -s45], [-1, 0], [s45, s45], [0, -1], [-s45, s45]];
  const y0 = -(fx + 3) * Math.PI * 0.25;
  const s0 = Math.sin(y0);
  const c0 = Math.cos(y0);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const yi = f32(f32(fx + 3) - i);
    if (Math.abs(yi) >= f32(1e-6)) {
      const y = -yi * Math.PI * 0.25;
      out[i] = f32((cs[i][0] * s0 + cs[i][1] * c0) / (y * y));
    } else {
      out[i] = f32(1e30);
    }
    sum = f32(sum + out[i]);
  }
  sum = f32(1 / sum);
  for (let i = 0; i < 8; i++) out[i] = f32(out[i] * sum);
}

interface AxisTable {
  readonly ksize: number;
  /** first tap's source index per output (before clamping) */
  readonly first: Int32Array;
  /** fixed-point weights, ksize per output */
  readonly alpha: Int16Array;
}

function axisTable(inSize: number, outSize: number, mode: 'linear' | 'cubic' | 'lanczos4', areaMode: boolean, isX: boolean): AxisTable {
  const ksize = mode === 'linear' ? 2 : mode === 'cubic' ? 4 : 8;
  const ksize2 = ksize / 2;
  const invScale = outSize / inSize;
  const scale = 1 / invScale;
  const first = new Int32Array(outSize);
  const alpha = new Int16Array(outSize * ksize);
  const cbuf = new Float32Array(8);
  for (let d = 0; d < outSize; d++) {
    let s: number;
    let f: number;
    if (!areaMode) {
      f = f32((d + 0.5) * scale - 0.5);
      s = Math.floor(f);
      f = f32(f - s);
    } else {
      s = Math.floor(d * scale);
      f = f32(d + 1 - (s + 1) * invScale);
      f = f <= 0 ? 0 : f32(f - Math.floor(f));
    }
    if (mode === 'linear') {
      // cv::resize moves linear x samples that fall outside the image onto the edge pixel; y samples keep their
      // weights and read clamped rows (the same value in exact arithmetic, not always after SIMD rounding).
      if (isX && s < 0) { f = 0; s = 0; }
      if (isX && s >= inSize - 1) { f = 0; s = inSize - 1; }
      cbuf[0] = f32(1 - f);
      cbuf[1] = f;
    } else if (mode === 'cubic') {
      cubicCoeffs(f, cbuf);
    } else {
      lanczos4Coeffs(f, cbuf);
    }
    first[d] = s - ksize2 + 1;
    for (let k = 0; k < ksize; k++) alpha[d * ksize + k] = Math.max(-32768, Math.min(32767, roundHalfEven(f32(cbuf[k] * COEF_SCALE))));
  }
  return { ksize, first, alpha };
}

const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** Horizontal pass of one source row into an int row buffer (HResize*: taps clamped into the row). */
function hresizeRow(src: RgbImage, sy: number, xt: AxisTable, outWidth: number, buf: Int32Array): void {
  const { width, data } = src;
  const row = sy * width * CN;
  const k = xt.ksize;
  for (let dx = 0; dx < outWidth; dx++) {
    let r = 0, g = 0, b = 0;
    for (let j = 0; j < k; j++) {
      const p = row + clampIndex(xt.first[dx] + j, width) * CN;
      const a = xt.alpha[dx * k + j];
      r += data[p] * a;
      g += data[p + 1] * a;
      b += data[p + 2] * a;
    }
    buf[dx * CN] = r;
    buf[dx * CN + 1] = g;
    buf[dx * CN + 2] = b;
  }
}

function generic(src: RgbImage, width: number, height: number, mode: 'linear' | 'cubic' | 'lanczos4', areaMode: boolean): RgbImage {
  const xt = axisTable(src.width, width, mode, areaMode, true);
  const yt = axisTable(src.height, height, mode, areaMode, false);
  const rowLen = width * CN;
  const out = new Uint8Array(height * rowLen);
  // Each source row is resized horizontally once, on first use (OpenCV keeps a ring of ksize such rows).
  const hrows = new Map<number, Int32Array>();
  const hrow = (sy: number) => {
    let r = hrows.get(sy);
    if (!r) {
      r = new Int32Array(rowLen);
      hresizeRow(src, sy, xt, width, r);
      hrows.set(sy, r);
    }
    return r;
  };
  const rows: Int32Array[] = new Array(yt.ksize);
  for (let dy = 0; dy < height; dy++) {
    for (let k = 0; k < yt.ksize; k++) rows[k] = hrow(clampIndex(yt.first[dy] + k, src.height));
    const o = dy * rowLen;
    if (mode === 'linear') {
      const b0 = yt.alpha[dy * 2];
      const b1 = yt.alpha[dy * 2 + 1];
      const s0 = rows[0];
      const s1 = rows[1];
      for (let x = 0; x < rowLen; x++) out[o + x] = sat8((((s0[x] >> 4) * b0) >> 16) + (((s1[x] >> 4) * b1) >> 16) + 2 >> 2);
    } else {
      for (let x = 0; x < rowLen; x++) {
        let acc = 1 << 21;
        for (let k = 0; k < yt.ksize; k++) acc += rows[k][x] * yt.alpha[dy * yt.ksize + k];
        out[o + x] = sat8(Math.floor(acc / (1 << 22)));
      }
    }
  }
  return { width, height, data: out };
}

function nearest(src: RgbImage, width: number, height: number): RgbImage {
  const ifx = 1 / (width / src.width);
  const ify = 1 / (height / src.height);
  const out = new Uint8Array(width * height * CN);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor(y * ify), src.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.floor(x * ifx), src.width - 1);
      const s = (sy * src.width + sx) * CN;
      const o = (y * width + x) * CN;
      out[o] = src.data[s];
      out[o + 1] = src.data[s + 1];
      out[o + 2] = src.data[s + 2];
    }
  }
  return { width, height, data: out };
}

/** INTER_AREA with integer factors on both axes: block means. */
function areaFast(src: RgbImage, width: number, height: number, sx: number, sy: number): RgbImage {
  const out = new Uint8Array(width * height * CN);
  const area = sx * sy;
  const inv = f32(1 / area);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < CN; c++) {
        let sum = 0;
        for (let j = 0; j < sy; j++) for (let i = 0; i < sx; i++) sum += src.data[((y * sy + j) * src.width + x * sx + i) * CN + c];
        out[(y * width + x) * CN + c] = sat8(area === 4 ? (sum + 2) >> 2 : roundHalfEven(f32(sum * inv)));
      }
    }
  }
  return { width, height, data: out };
}

interface AreaTap { src: number; dst: number; alpha: number }

/** computeResizeAreaTab: source cells overlapping each destination cell, weights = overlap / cell width (float). */
function areaTab(inSize: number, outSize: number, scale: number): AreaTap[] {
  const tab: AreaTap[] = [];
  for (let dx = 0; dx < outSize; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, inSize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, inSize - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) tab.push({ src: sx1 - 1, dst: dx, alpha: f32((sx1 - fsx1) / cellWidth) });
    for (let sx = sx1; sx < sx2; sx++) tab.push({ src: sx, dst: dx, alpha: f32(1 / cellWidth) });
    if (fsx2 - sx2 > 1e-3) tab.push({ src: sx2, dst: dx, alpha: f32(Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth) });
  }
  return tab;
}

/** INTER_AREA, general downscale (ResizeArea_Invoker): per source row, float horizontal sums, then float row blending. */
function areaGeneral(src: RgbImage, width: number, height: number, scaleX: number, scaleY: number): RgbImage {
  const xtab = areaTab(src.width, width, scaleX);
  const ytab = areaTab(src.height, height, scaleY);
  const rowLen = width * CN;
  const out = new Uint8Array(height * rowLen);
  const buf = new Float32Array(rowLen);
  const sum = new Float32Array(rowLen);
  let prevDy = ytab[0].dst;
  const flush = (dy: number) => {
    for (let i = 0; i < rowLen; i++) out[dy * rowLen + i] = sat8(roundHalfEven(sum[i]));
  };
  for (const { src: sy, dst: dy, alpha: beta } of ytab) {
    buf.fill(0);
    const row = sy * src.width * CN;
    for (const { src: sx, dst: dx, alpha } of xtab) {
      for (let c = 0; c < CN; c++) buf[dx * CN + c] = f32(buf[dx * CN + c] + f32(src.data[row + sx * CN + c] * alpha));
    }
    if (dy !== prevDy) {
      flush(prevDy);
      for (let i = 0; i < rowLen; i++) sum[i] = f32(beta * buf[i]);
      prevDy = dy;
    } else {
      for (let i = 0; i < rowLen; i++) sum[i] = f32(sum[i] + f32(beta * buf[i]));
    }
  }
  flush(prevDy);
  return { width, height, data: out };
}

export function cv2Resize(src: RgbImage, width: number, height: number, mode: Cv2Interpolation): RgbImage {
  if (width === src.width && height === src.height) return { width, height, data: src.data.slice() };
  if (mode === 'nearest') return nearest(src, width, height);
  const scaleX = 1 / (width / src.width);
  const scaleY = 1 / (height / src.height);
  const iscaleX = Math.round(scaleX);
  const iscaleY = Math.round(scaleY);
  const areaFastOk = Math.abs(scaleX - iscaleX) < Number.EPSILON && Math.abs(scaleY - iscaleY) < Number.EPSILON;
  if (mode === 'linear' && areaFastOk && iscaleX === 2 && iscaleY === 2) mode = 'area';
  if (mode === 'area' && scaleX >= 1 && scaleY >= 1) {
    return areaFastOk ? areaFast(src, width, height, iscaleX, iscaleY) : areaGeneral(src, width, height, scaleX, scaleY);
  }
  if (mode === 'area') return generic(src, width, height, 'linear', true);
  return generic(src, width, height, mode, false);
}

export function cv2Resizer(mode: Cv2Interpolation): Resizer {
  const name = `cv2-${mode}`;
  return {
    name,
    resize(image, width, height) {
      checkResizeArgs(name, image, width, height);
      return cv2Resize(image, width, height, mode);
    },
  };
}
