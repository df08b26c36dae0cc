// Reader for the IDX format of MNIST and Fashion-MNIST (optionally gzip-compressed).
import { readFileSync, existsSync } from 'node:fs';
import { zlib } from '../util/native.js';
import { RobustartError } from '../errors.js';

export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** Reads an unsigned-byte IDX file (magic 0x00000801 labels, 0x00000803 images). */
export function readIdx(path: string): IdxArray {
  if (!existsSync(path)) throw new RobustartError(`IDX file not found: ${path}; install Debian's dataset-fashion-mnist or pass the right path`);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic >>> 8 !== 0x08) throw new RobustartError(`${path} is not an unsigned-byte IDX file (magic ${magic.toString(16)})`);
  const rank = magic & 0xff;
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start < count) throw new RobustartError(`${path} is truncated: expected ${count} values, found ${bytes.length - start}`);
  return { dims, data: bytes.subarray(start, start + count) };
}

/** Fashion-MNIST class names in label order (Xiao, Rasul & Vollgraf 2017, README of zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
