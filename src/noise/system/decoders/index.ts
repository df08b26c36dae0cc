// The decoder registry: every named decoder variant the system-noise grid can use, one way in (decoderByName).
import { RobustartError } from '../../../errors.js';
import type { Decoder } from '../../../data/seams.js';
import type { ImageFormat } from './common.js';
import { djpegDecoder } from './djpeg.js';
import { ffmpegDecoder } from './ffmpeg.js';
import { jpegJsDecoder } from './jpegjs.js';
import { mozjpegWasmDecoder } from './mozjpeg-wasm.js';
// The default pipeline's decoder (data/decode.ts) is the grid's libvips variant, so 'sharp' means one thing everywhere.
import { sharpDecoder } from '../../../data/decode.js';
import { skiaDecoder } from './skia.js';

export interface DecoderEntry {
  readonly name: string;
  /** the implementation: libvips, skia, jpeg-js, mozjpeg (wasm), libjpeg-turbo (djpeg), ffmpeg */
  readonly library: string;
  readonly formats: readonly ImageFormat[];
  /** an external program it runs (djpeg, ffmpeg), if any */
  readonly binary?: string;
  create(): Decoder;
}

export const DECODERS: readonly DecoderEntry[] = [
  { name: 'sharp', library: 'libvips (mozjpeg, libspng)', formats: ['jpeg', 'png'], create: () => sharpDecoder },
  { name: 'skia', library: 'Skia (libjpeg-turbo)', formats: ['jpeg', 'png'], create: skiaDecoder },
  { name: 'jpegjs', library: 'jpeg-js (pure JS)', formats: ['jpeg'], create: jpegJsDecoder },
  { name: 'mozjpeg-wasm', library: 'mozjpeg (WASM)', formats: ['jpeg'], create: mozjpegWasmDecoder },
  { name: 'djpeg-islow', library: 'libjpeg-turbo djpeg', formats: ['jpeg'], binary: 'djpeg', create: () => djpegDecoder('islow') },
  { name: 'djpeg-ifast', library: 'libjpeg-turbo djpeg', formats: ['jpeg'], binary: 'djpeg', create: () => djpegDecoder('ifast') },
  { name: 'djpeg-float', library: 'libjpeg-turbo djpeg', formats: ['jpeg'], binary: 'djpeg', create: () => djpegDecoder('float') },
  { name: 'djpeg-islow-nosmooth', library: 'libjpeg-turbo djpeg', formats: ['jpeg'], binary: 'djpeg', create: () => djpegDecoder('islow', false) },
  { name: 'ffmpeg', library: 'FFmpeg', formats: ['jpeg', 'png'], binary: 'ffmpeg', create: () => ffmpegDecoder('auto') },
  { name: 'ffmpeg-idct-int', library: 'FFmpeg', formats: ['jpeg', 'png'], binary: 'ffmpeg', create: () => ffmpegDecoder('int') },
  { name: 'ffmpeg-idct-faani', library: 'FFmpeg', formats: ['jpeg', 'png'], binary: 'ffmpeg', create: () => ffmpegDecoder('faani') },
];

export function decoderNames(): string[] {
  return DECODERS.map((d) => d.name);
}

export function decoderByName(name: string): Decoder {
  const found = DECODERS.find((d) => d.name === name);
  if (!found) throw new RobustartError(`unknown decoder '${name}'; known: ${decoderNames().join(', ')}`);
  return found.create();
}
