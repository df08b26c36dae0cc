// mozjpeg compiled to WebAssembly (@jsquash/jpeg): libjpeg-turbo's decoder run in WASM, RGBA output. The WASM build
// only converts to RGBA, which libjpeg cannot do from CMYK/YCCK, so 4-component JPEGs are refused with a clear error
// (checked before the call: a failed call terminates the Emscripten runtime).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as JsquashDecode from '@jsquash/jpeg/decode.js';
import { importPackage, requireInstalled } from '../../../util/native.js';
import type { Decoder } from '../../../data/seams.js';
import { jpegComponents, requireFormat, toRgb } from './common.js';
import { RobustartError } from '../../../errors.js';

let ready: Promise<typeof JsquashDecode> | undefined;

/** Loads the ES module and its WASM once, on the first decode. */
function initialise(): Promise<typeof JsquashDecode> {
  ready ??= (async () => {
    const codec = await importPackage<typeof JsquashDecode>('@jsquash/jpeg', '@jsquash/jpeg/decode.js');
    const wasmPath = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    await codec.init(await WebAssembly.compile(await readFile(wasmPath)));
    return codec;
  })();
  return ready;
}

export function mozjpegWasmDecoder(): Decoder {
  requireInstalled('@jsquash/jpeg');
  return {
    name: 'mozjpeg-wasm',
    async decode(bytes) {
      requireFormat('mozjpeg-wasm', bytes, ['jpeg']);
      if (jpegComponents(bytes) === 4) {
        throw new RobustartError('decoder mozjpeg-wasm cannot convert CMYK/YCCK JPEGs to RGB (its WASM build outputs RGBA only); use sharp, skia, jpegjs, djpeg or ffmpeg');
      }
      const codec = await initialise();
      const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      const image = await codec.default(copy);
      return toRgb(image.data, image.width, image.height, 4);
    },
  };
}
