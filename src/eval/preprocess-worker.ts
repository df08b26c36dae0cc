// Worker side of the evaluation's preprocessing: read a file, decode it once, resize and centre-crop it for
// each resizer asked for, off the main thread (ONNX Runtime blocks the main thread while a batch runs).
import { parentPort } from 'node:worker_threads';
import type { RgbImage } from '../data/image.js';
import { UndecodableImageError } from '../data/decode.js';
import { RobustartError } from '../errors.js';
import type { WorkerReply } from '../util/worker-pool.js';
import { decoderByName } from '../noise/system/decoders/index.js';
import { resizerByName } from '../noise/system/resizers/index.js';
import { decodeAndResize } from './batch-images.js';
import type { PreprocessRequest, PreprocessResult } from './preprocess-protocol.js';

async function handle(request: PreprocessRequest): Promise<PreprocessResult> {
  const images = await decodeAndResize(request.path, request.path, decoderByName(request.decoder), request.resizers.map(resizerByName), request.config);
  const failed = images.find((i): i is UndecodableImageError => i instanceof UndecodableImageError);
  if (failed) return { undecodable: failed.message.replace(/^cannot decode image [^:]*: /, '') };
  return { images: images as RgbImage[] };
}

/** Only a buffer the array spans whole can be transferred (a view into a shared slab is copied instead). */
function transferable(images: readonly RgbImage[]): ArrayBuffer[] {
  const buffers = images.filter((i) => i.data.byteOffset === 0 && i.data.byteLength === i.data.buffer.byteLength).map((i) => i.data.buffer as ArrayBuffer);
  return [...new Set(buffers)];
}

parentPort?.on('message', (request: PreprocessRequest) => {
  handle(request).then(
    (result) => {
      const reply: WorkerReply<PreprocessResult> = { ok: true, result };
      parentPort!.postMessage(reply, 'images' in result ? transferable(result.images) : []);
    },
    (err: unknown) => {
      const reply: WorkerReply<PreprocessResult> = { ok: false, error: String((err as Error)?.message ?? err), userError: err instanceof RobustartError };
      parentPort!.postMessage(reply);
    },
  );
});
