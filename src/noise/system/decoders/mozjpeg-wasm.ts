// mozjpeg compiled to WebAssembly (@jsquash/jpeg): libjpeg-turbo's decoder run in WASM, RGBA output. The WASM build
// only converts to RGBA, which libjpeg cannot do from CMYK/YCCK, so 4-component JPEGs are refused with a clear error
// (checked before the call: a failed call terminates the Emscripten runtime).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decode, { init } from '@jsquash/jpeg/decode.js';
import type { Decoder } from '../../../data/seams.js';
import { jpegComponents, requireFormat, toRgb } from './common.js';
import { RobustartError } from '../../../errors.js';

let ready: Promise<void> | undefined;

function initialise(): Promise<void> {
  ready ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    await init(await WebAssembly.compile(await readFile(wasmPath)));
  })();
  return ready;
}

export function mozjpegWasmDecoder(): Decoder {
  return {
    name: 'mozjpeg-wasm',
    async decode(bytes) {
      requireFormat('mozjpeg-wasm', bytes, ['jpeg']);
      if (jpegComponents(bytes) === 4) {
        throw new RobustartError('decoder mozjpeg-wasm cannot convert CMYK/YCCK JPEGs to RGB (its WASM build outputs RGBA only); use sharp, skia, jpegjs, djpeg or ffmpeg');
      }
      await initialise();
      const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      const image = await decode(copy);
      return toRgb(image.data, image.width, image.height, 4);
    },
  };
}
