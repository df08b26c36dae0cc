// The hostile-input corpus: bad images, CSVs, models, stores and flags, each with the exit code and message the
// CLI must give. `writeCorpus` makes the files in a folder; `CASES` says what to run on them and what to expect.
// A case is GOOD when the CLI exits in time with the expected code, its message matches, and a refusal is one
// line starting `robustart: ` (no stack, no "internal error").
import { mkdirSync, symlinkSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { makeModel, makeNode, makeValueInfo } from '../../src/onnx/build.js';
import { writeModel } from '../../src/onnx/proto.js';
import { makeTensor } from '../../src/onnx/tensor.js';
import { encodeNpy } from '../../src/onnx/npy.js';
import { writeImageFolder, writeTinyClassifier } from '../../src/testing/fixtures.js';
import { MCE_CORRUPTIONS } from '../../src/metrics/corruption.js';

export interface Expectation {
  readonly status: number;
  /** Matched against the first line of stderr (refusals) or stdout+stderr (successes). */
  readonly message?: RegExp;
}

export interface HostileCase {
  readonly name: string;
  readonly category: 'flags' | 'models' | 'images' | 'csv' | 'stores' | 'attack' | 'grad' | 'suites' | 'nas';
  /** CLI arguments; `@` at the start of an argument is replaced by the corpus folder. */
  readonly args: readonly string[];
  readonly expect: Expectation;
  readonly env?: Record<string, string>;
  /** Run after the corpus is written, before this case (cases that build on a registered model). */
  readonly before?: readonly (readonly string[])[];
}

const META = { interpolation: 'bilinear', crop_pct: 0.875, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], family: 'CNN' };

/** GlobalAveragePool -> Flatten -> Gemm with chosen input shape, bias and extra outputs. */
function writeModelVariant(path: string, options: { input?: (number | string)[]; bias?: number[]; extraOutput?: boolean; nhwc?: boolean; metadata?: Record<string, unknown> }): void {
  const classes = options.bias?.length ?? 3;
  const input = options.input ?? ['N', 3, 8, 8];
  const nodes = [
    ...(options.nhwc ? [makeNode('Transpose', ['input'], ['nchw'], { perm: [0, 3, 1, 2] })] : []),
    makeNode('GlobalAveragePool', [options.nhwc ? 'nchw' : 'input'], ['pooled']),
    makeNode('Flatten', ['pooled'], ['flat']),
    makeNode('Gemm', ['flat', 'W', 'b'], ['logits']),
    ...(options.extraOutput ? [makeNode('Neg', ['logits'], ['aux'])] : []),
  ];
  const weights = Float32Array.from({ length: 3 * classes }, (_, i) => Math.sin(i + 1));
  const graph = {
    name: 'variant',
    node: nodes,
    input: [makeValueInfo('input', input)],
    output: [makeValueInfo('logits', ['N', classes]), ...(options.extraOutput ? [makeValueInfo('aux', ['N', classes])] : [])],
    initializer: [makeTensor('W', [3, classes], weights), makeTensor('b', [classes], Float32Array.from(options.bias ?? [0, 0.1, -0.1]))],
  };
  const metadata = { ...META, num_classes: classes, ...(options.metadata ?? {}) };
  writeModel(path, makeModel(graph, 17, Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)]))));
}

/** A 24-bit uncompressed BMP (BITMAPINFOHEADER), bottom-up rows padded to 4 bytes. */
function bmp(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + row * height;
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = pixel(x, height - 1 - y);
      const o = 54 + y * row + x * 3;
      b[o] = bl;
      b[o + 1] = g;
      b[o + 2] = r;
    }
  }
  return b;
}

/** An ImageFolder of three good JPEGs plus one chosen file in class a. */
async function imageFolderWith(root: string, file: string, bytes: Uint8Array | Buffer): Promise<void> {
  await writeImageFolder(root, ['a', 'b', 'c'], 1, 12);
  writeFileSync(join(root, 'a', file), bytes);
}

/** Writes every file the cases refer to under `dir`. */
export async function writeCorpus(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // Models
  writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 3, inputSize: 8 });
  writeTinyClassifier(join(dir, 'probs.onnx'), { numClasses: 3, inputSize: 8, probabilities: true });
  writeTinyClassifier(join(dir, 'five.onnx'), { numClasses: 5, inputSize: 8 });
  writeModelVariant(join(dir, 'nan.onnx'), { bias: [NaN, 0, 0] });
  writeModelVariant(join(dir, 'inf.onnx'), { bias: [Infinity, 0, 0] });
  writeModelVariant(join(dir, 'neginf.onnx'), { bias: [-Infinity, 0, 0] });
  writeModelVariant(join(dir, 'batch1.onnx'), { input: [1, 3, 8, 8] });
  writeModelVariant(join(dir, 'nhwc.onnx'), { input: ['N', 8, 8, 3], nhwc: true, metadata: { input_size: [3, 8, 8] } });
  writeModelVariant(join(dir, 'nhwc-bare.onnx'), { input: ['N', 8, 8, 3], nhwc: true });
  writeModelVariant(join(dir, 'two-outputs.onnx'), { extraOutput: true });
  writeModelVariant(join(dir, 'dynamic.onnx'), { input: ['N', 3, 'H', 'W'] });
  writeModel(join(dir, 'rank3.onnx'), makeModel({ name: 'g', node: [makeNode('Identity', ['x'], ['y'])], input: [makeValueInfo('x', ['N', 3, 32])], output: [makeValueInfo('y', ['N', 3, 32])] }));
  writeFileSync(join(dir, 'text.onnx'), 'this is not a model\n');
  writeFileSync(join(dir, 'empty.onnx'), '');
  const tiny = readFileSync(join(dir, 'tiny.onnx'));
  writeFileSync(join(dir, 'truncated.onnx'), tiny.subarray(0, Math.floor(tiny.length / 2)));
  mkdirSync(join(dir, 'folder.onnx'), { recursive: true });
  writeTinyClassifier(join(dir, 'badjson.onnx'), { numClasses: 3, inputSize: 8 });
  writeFileSync(join(dir, 'badjson.json'), '{ "crop_pct": ');
  writeTinyClassifier(join(dir, 'badfield.onnx'), { numClasses: 3, inputSize: 8 });
  writeFileSync(join(dir, 'badfield.json'), JSON.stringify({ crop_pct: 5 }));
  writeTinyClassifier(join(dir, 'labelled.onnx'), { numClasses: 3, inputSize: 8, metadata: { labels: ['cat', 'dog', 'fox'] } });

  // Datasets
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 2, 12);
  mkdirSync(join(dir, 'empty-dir'), { recursive: true });
  mkdirSync(join(dir, 'no-images', 'a'), { recursive: true });
  writeFileSync(join(dir, 'no-images', 'a', 'readme.txt'), 'no images here');
  writeFileSync(join(dir, 'list.txt'), 'a.jpg,0\n');
  await imageFolderWith(join(dir, 'truncated-jpeg'), 'cut.jpg', readFileSync(join(dir, 'data', 'a', 'img-000.jpg')).subarray(0, 200));
  await imageFolderWith(join(dir, 'zero-byte'), 'zero.jpg', new Uint8Array(0));
  await imageFolderWith(join(dir, 'text-as-jpeg'), 'fake.jpg', Buffer.from('not an image'));
  mkdirSync(join(dir, 'all-corrupt', 'a'), { recursive: true });
  mkdirSync(join(dir, 'all-corrupt', 'b'), { recursive: true });
  mkdirSync(join(dir, 'all-corrupt', 'c'), { recursive: true });
  for (const c of ['a', 'b', 'c']) writeFileSync(join(dir, 'all-corrupt', c, 'x.jpg'), 'garbage');
  await imageFolderWith(join(dir, 'bmp'), 'pic.bmp', bmp(12, 10, (x, y) => [x * 20, y * 20, 128]));
  const raw = { raw: { width: 12, height: 12, channels: 3 as const } };
  const pixels = Buffer.from(Array.from({ length: 12 * 12 * 3 }, (_, i) => (i * 37) % 256));
  await imageFolderWith(join(dir, 'cmyk'), 'cmyk.jpg', await sharp(pixels, raw).toColourspace('cmyk').jpeg().toBuffer());
  await imageFolderWith(join(dir, 'png16'), 'deep.png', await sharp(pixels, raw).toColourspace('rgb16').png().toBuffer());
  await imageFolderWith(join(dir, 'gray'), 'gray.png', await sharp(pixels, raw).greyscale().png().toBuffer());
  await imageFolderWith(join(dir, 'alpha'), 'alpha.png', await sharp(pixels, raw).ensureAlpha(0.5).png().toBuffer());
  await imageFolderWith(join(dir, 'png-as-jpg'), 'png.jpg', await sharp(pixels, raw).png().toBuffer());
  await imageFolderWith(join(dir, 'big'), 'big.png', await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080' } }).png().toBuffer());
  await writeImageFolder(join(dir, 'half-jpeg'), ['a', 'b', 'c'], 2, 64);
  const whole = readFileSync(join(dir, 'half-jpeg', 'a', 'img-000.jpg'));
  writeFileSync(join(dir, 'half-jpeg', 'a', 'img-000.jpg'), whole.subarray(0, Math.floor(whole.length * 0.6)));
  await writeImageFolder(join(dir, 'loop'), ['a', 'b', 'c'], 1, 12);
  symlinkSync('..', join(dir, 'loop', 'a', 'up'));
  symlinkSync('self', join(dir, 'loop', 'b', 'self'));
  await writeImageFolder(join(dir, 'dangling'), ['a', 'b', 'c'], 1, 12);
  symlinkSync(join(dir, 'nowhere.jpg'), join(dir, 'dangling', 'a', 'gone.jpg'));

  // CSV manifests (paths relative to the CSV)
  const csv = (name: string, text: string) => writeFileSync(join(dir, name), text);
  csv('good.csv', 'path,label\ndata/a/img-000.jpg,0\ndata/b/img-000.jpg,1\ndata/c/img-000.jpg,2\n');
  csv('neg.csv', 'data/a/img-000.jpg,0\ndata/b/img-000.jpg,-1\ndata/c/img-000.jpg,1\n');
  csv('frac.csv', 'data/a/img-000.jpg,0\ndata/b/img-000.jpg,1.5\n');
  csv('banana.csv', 'data/a/img-000.jpg,0\ndata/b/img-000.jpg,banana\n');
  csv('names.csv', 'data/a/img-000.jpg,cat\ndata/b/img-000.jpg,banana\n');
  csv('dup.csv', 'data/a/img-000.jpg,0\ndata/b/img-000.jpg,1\ndata/a/img-000.jpg,2\n');
  csv('header.csv', 'path,label\n');
  csv('empty.csv', '');
  csv('short.csv', 'path,label\ndata/a/img-000.jpg\n');
  csv('big-label.csv', 'data/a/img-000.jpg,0\ndata/b/img-000.jpg,7\n');
  csv('missing-file.csv', 'data/a/img-000.jpg,0\ndata/b/nope.jpg,1\ndata/c/img-000.jpg,2\n');
  mkdirSync(join(dir, 'comma dir'), { recursive: true });
  copyFileSync(join(dir, 'data', 'a', 'img-000.jpg'), join(dir, 'comma dir', 'a,b.jpg'));
  csv('quoted.csv', '"comma dir/a,b.jpg",0\ndata/b/img-000.jpg,1\ndata/c/img-000.jpg,2\n');
  csv('crlf.csv', 'path,label\r\ndata/a/img-000.jpg,0\r\ndata/b/img-000.jpg,1\r\n');

  // Stores
  writeFileSync(join(dir, 'text.db'), 'hello, I am not SQLite\n');
  writeFileSync(join(dir, 'zero.db'), '');
  mkdirSync(join(dir, 'store-dir.db'), { recursive: true });
  const header = Buffer.alloc(4096);
  header.write('SQLite format 3\0', 0, 'latin1');
  header.writeUInt16BE(4096, 16);
  writeFileSync(join(dir, 'truncated.db'), header.subarray(0, 150));
  writeFileSync(join(dir, 'garbage-pages.db'), Buffer.concat([header.subarray(0, 100), Buffer.alloc(8000, 0xab)]));

  // ImageNet-C trees
  mkdirSync(join(dir, 'imagenet-c-partial', 'brightness', '1'), { recursive: true });
  for (const c of MCE_CORRUPTIONS) for (let s = 1; s <= 5; s++) mkdirSync(join(dir, 'imagenet-c-full', c, String(s)), { recursive: true });

  // .npy inputs for grad
  const npy = (name: string, dtype: 'float32' | 'int64', shape: number[], data: Float32Array | BigInt64Array) => writeFileSync(join(dir, name), encodeNpy({ dtype, shape, data } as never));
  npy('x.npy', 'float32', [2, 3, 8, 8], Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => (i % 17) / 17));
  npy('x-nan.npy', 'float32', [2, 3, 8, 8], Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => (i === 5 ? NaN : 0.5)));
  npy('x-big.npy', 'float32', [2, 3, 8, 8], Float32Array.from({ length: 2 * 3 * 64 }, () => 7));
  npy('x-shape.npy', 'float32', [2, 3, 4, 4], new Float32Array(2 * 3 * 16));
  npy('y.npy', 'int64', [2], BigInt64Array.from([0n, 2n]));
  npy('y-big.npy', 'int64', [2], BigInt64Array.from([0n, 9n]));
  writeFileSync(join(dir, 'bad.npy'), '\x93NUMPY garbage');
  writeFileSync(join(dir, 'cut.npy'), readFileSync(join(dir, 'x.npy')).subarray(0, 150));
  // Supernet training configs: frozen layers (refused), and AugMix's JS loss with Mixup (the trainer's refusal).
  const supernetConfig = (techniques: object, transforms: object = {}) => JSON.stringify({
    name: 'supernet', epochs: 1, batch_size: 4, model: { builder: 'small-cnn' }, transforms, techniques,
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weight_decay: 1e-4 }, schedule: { base_lr: 0.01 },
    data: { train: { kind: 'imagefolder', path: 'data' }, test: { kind: 'imagefolder', path: 'data' }, input_size: [3, 32, 32] },
  });
  writeFileSync(join(dir, 'nas-frozen.json'), supernetConfig({ frozen: ['fc'] }));
  writeFileSync(join(dir, 'nas-augmix-mixup.json'), supernetConfig({ mixup: {} }, { augmix: { jsd: true } }));
}

const ONE_LINE_OK = /./;
const evalArgs = (model: string, data: string, ...rest: string[]) => ['eval', '--model', `@/${model}`, '--data', `@/${data}`, '--store', '@/runs.db', '--workers', '0', ...rest];
const grad = (...rest: string[]) => ['grad', '--model', '@/tiny.onnx', '--input', '@/x.npy', '--labels', '@/y.npy', '--out', '@/g.npy', ...rest];

export const CASES: readonly HostileCase[] = [
  // --- flags ---
  { name: 'eval happy path (control)', category: 'flags', args: evalArgs('tiny.onnx', 'data'), expect: { status: 0, message: /run [0-9a-f]{16} stored/ } },
  { name: 'negative --limit', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--limit', '-1'), expect: { status: 2, message: /--limit -1 is not a valid integer >= 1/ } },
  { name: '--limit 0', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--limit', '0'), expect: { status: 2, message: /--limit 0 is not a valid integer/ } },
  { name: '--limit abc', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--limit', 'abc'), expect: { status: 2, message: /--limit abc/ } },
  { name: '--limit=-5 (equals form)', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--limit=-5'), expect: { status: 2, message: /--limit -5/ } },
  { name: 'negative --batch-size', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--batch-size', '-3'), expect: { status: 2, message: /--batch-size -3 is not a valid integer >= 1/ } },
  { name: 'fractional --batch-size', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--batch-size', '1.5'), expect: { status: 2, message: /--batch-size 1\.5/ } },
  { name: 'negative --seed', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--seed', '-1'), expect: { status: 2, message: /--seed -1 is not a valid integer in 0\.\.4294967295/ } },
  { name: '--seed 1e300', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--seed', '1e300'), expect: { status: 2, message: /--seed 1e300 is not a valid integer in 0\.\.4294967295/ } },
  { name: '--seed 2^32', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--seed', '4294967296'), expect: { status: 2, message: /--seed 4294967296/ } },
  { name: '--seed 2^32-1 (largest valid)', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--seed', '4294967295'), expect: { status: 0 } },
  { name: 'negative --workers', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--workers', '-2'), expect: { status: 2, message: /--workers -2 is not a valid integer >= 0/ } },
  { name: 'negative --threads', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--threads', '-1'), expect: { status: 2, message: /--threads -1/ } },
  { name: 'unknown --device', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--device', 'tpu'), expect: { status: 2, message: /--device tpu is not allowed; allowed: one of cpu/ } },
  { name: 'unknown suite', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--suite', 'nope'), expect: { status: 2, message: /unknown suite 'nope'/ } },
  { name: 'misspelt flag', category: 'flags', args: ['eval', '--modle', 'x'], expect: { status: 2, message: /unknown flag '--modle'/ } },
  { name: 'unknown command', category: 'flags', args: ['evaluate'], expect: { status: 2, message: /unknown command 'evaluate'/ } },
  { name: 'missing --model', category: 'flags', args: ['eval', '--data', 'x'], expect: { status: 2, message: /--model is required/ } },
  { name: 'missing --data', category: 'flags', args: ['eval', '--model', 'x'], expect: { status: 2, message: /--data is required/ } },
  { name: '--set without =', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--set', 'oops'), expect: { status: 2, message: /--set oops must be KEY=VALUE/ } },
  { name: '--queue not redis://', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--queue', 'http://127.0.0.1:1'), expect: { status: 2, message: /queue address 'http:\/\/127\.0\.0\.1:1' must start with redis:\/\// } },
  { name: '--queue-ahead without --queue', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--queue-ahead', '8'), expect: { status: 2, message: /--queue-ahead: only for queued evaluations; add --queue/ } },
  { name: '--queue-ahead 0', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--queue', 'redis://127.0.0.1:1', '--queue-ahead', '0'), expect: { status: 2, message: /--queue-ahead 0 is not a valid integer >= 1/ } },
  { name: 'study status --queue', category: 'flags', args: ['study', 'status', '--queue', 'redis://127.0.0.1:1'], expect: { status: 2, message: /study status: --queue applies to study run only/ } },
  { name: '--outputs maybe', category: 'flags', args: evalArgs('tiny.onnx', 'data', '--outputs', 'maybe'), expect: { status: 2, message: /--outputs maybe is not one of logits, probabilities/ } },
  { name: 'flag value missing at end', category: 'flags', args: ['eval', '--model', '@/tiny.onnx', '--data'], expect: { status: 2, message: /--data/ } },

  // --- suites ---
  { name: 'natural: unknown corruption', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--corruptions', 'foo'), expect: { status: 2, message: /unknown corruption 'foo'/ } },
  { name: 'natural: severity 9', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--severities', '9'), expect: { status: 2, message: /severit/ } },
  { name: 'natural: severities 0-2', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--severities', '0-2'), expect: { status: 2, message: /severit/ } },
  { name: 'natural: one corruption runs and says mCE needs 15 x 5', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--corruptions', 'brightness', '--severities', '1-5', '--limit', '3'), expect: { status: 0, message: /mCE\s+n\/a: needs all 15 × 5/ } },
  { name: 'natural: --imagenet-c folder missing', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--imagenet-c', '@/no-such-tree'), expect: { status: 2, message: /ImageNet-C folder .* does not exist/ } },
  { name: 'natural: --imagenet-c tree lacks folders', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--imagenet-c', '@/imagenet-c-partial'), expect: { status: 2, message: /lacks 74 of the 75 corruption\/severity folders/ } },
  { name: 'natural: --imagenet-c tree with extra corruptions asked', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'natural', '--imagenet-c', '@/imagenet-c-full', '--corruptions', 'all'), expect: { status: 2, message: /lacks 20 of the 95/ } },
  { name: 'system: unknown decoder', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'system', '--decoders', 'nope'), expect: { status: 2, message: /nope/ } },
  { name: 'adversarial: unknown attack', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'adversarial', '--attacks', 'nope:linf'), expect: { status: 2, message: /nope/ } },
  { name: 'adversarial: negative --steps', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'adversarial', '--steps', '-1'), expect: { status: 2, message: /--steps -1/ } },
  { name: 'system: decoders disagree on a truncated JPEG', category: 'suites', args: evalArgs('tiny.onnx', 'half-jpeg', '--suite', 'system', '--decoders', 'sharp,ffmpeg', '--resizers', 'pil-bilinear'), expect: { status: 0, message: /warning: 1 image\(s\) were decoded by some decoders and skipped by others/ } },
  { name: 'train --out the bundled model', category: 'models', args: ['train', '--config', fileURLToPath(new URL('../../configs/fashion/fashion-cnn.yaml', import.meta.url)), '--out', fileURLToPath(new URL('../../demo/model/fashion-cnn.onnx', import.meta.url))], expect: { status: 2, message: /is a bundled model; pass --replace-bundled/ } },
  { name: 'imagenet-a on a 3-class folder', category: 'suites', args: evalArgs('tiny.onnx', 'data', '--suite', 'imagenet-a'), expect: { status: 2, message: ONE_LINE_OK } },

  // --- models ---
  { name: 'model file missing', category: 'models', args: evalArgs('nope.onnx', 'data'), expect: { status: 2, message: /model file not found/ } },
  { name: 'model is a text file', category: 'models', args: evalArgs('text.onnx', 'data'), expect: { status: 2, message: /is not an ONNX model/ } },
  { name: 'model is an empty file', category: 'models', args: evalArgs('empty.onnx', 'data'), expect: { status: 2, message: /empty\.onnx/ } },
  { name: 'model truncated', category: 'models', args: evalArgs('truncated.onnx', 'data'), expect: { status: 2, message: /truncated\.onnx/ } },
  { name: 'model path is a directory', category: 'models', args: evalArgs('folder.onnx', 'data'), expect: { status: 2, message: /folder\.onnx is a directory/ } },
  { name: 'model input rank 3', category: 'models', args: evalArgs('rank3.onnx', 'data'), expect: { status: 2, message: /has rank 3/ } },
  { name: 'model NHWC input without metadata', category: 'models', args: evalArgs('nhwc-bare.onnx', 'data'), expect: { status: 2, message: /NHWC|channels-last/ } },
  { name: 'model NHWC input with NCHW metadata', category: 'models', args: evalArgs('nhwc.onnx', 'data'), expect: { status: 2, message: /NHWC|channels-last/ } },
  { name: 'model with fixed batch 1', category: 'models', args: evalArgs('batch1.onnx', 'data', '--batch-size', '4'), expect: { status: 0, message: /batch of 1/ } },
  { name: 'model with two outputs says which is used', category: 'models', args: evalArgs('two-outputs.onnx', 'data'), expect: { status: 0, message: /output 'logits'/ } },
  { name: 'model returns NaN', category: 'models', args: evalArgs('nan.onnx', 'data'), expect: { status: 2, message: /returned NaN outputs/ } },
  { name: 'model returns +Inf', category: 'models', args: evalArgs('inf.onnx', 'data'), expect: { status: 2, message: /returned \+Inf outputs/ } },
  { name: 'model returns -Inf', category: 'models', args: evalArgs('neginf.onnx', 'data'), expect: { status: 2, message: /returned -Inf outputs/ } },
  { name: 'model outputs probabilities', category: 'models', args: evalArgs('probs.onnx', 'data'), expect: { status: 2, message: /outputs probabilities \(every row sums to 1\), not logits/ } },
  { name: 'model outputs probabilities, declared', category: 'models', args: evalArgs('probs.onnx', 'data', '--outputs', 'probabilities'), expect: { status: 0 } },
  { name: 'logits model declared probabilities', category: 'models', args: evalArgs('tiny.onnx', 'data', '--outputs', 'probabilities'), expect: { status: 2, message: /declared to output probabilities but/ } },
  { name: 'model class count differs from dataset', category: 'models', args: evalArgs('five.onnx', 'data'), expect: { status: 2, message: /has 3 classes but model five predicts 5/ } },
  { name: 'sidecar JSON invalid', category: 'models', args: evalArgs('badjson.onnx', 'data'), expect: { status: 2, message: /badjson\.json is not valid JSON/ } },
  { name: 'sidecar field out of range', category: 'models', args: evalArgs('badfield.onnx', 'data'), expect: { status: 2, message: /field 'crop_pct'/ } },
  { name: 'dynamic H, W and no input_size', category: 'models', args: evalArgs('dynamic.onnx', 'data'), expect: { status: 2, message: /input_size is missing/ } },
  { name: 'models add shadowing a bundled name', category: 'models', args: ['models', 'add', 'fashion-cnn', '@/tiny.onnx', '--store', '@/models.db'], expect: { status: 2, message: /fashion-cnn is a bundled model/ } },
  { name: 'models add a missing file', category: 'models', args: ['models', 'add', 'x', '@/nope.onnx', '--store', '@/models.db'], expect: { status: 2, message: /not found/ } },
  { name: 'models show unknown name', category: 'models', args: ['models', 'show', 'no-such-model', '--store', '@/models.db'], expect: { status: 2, message: /no-such-model/ } },
  { name: 'eval by registered name', category: 'models', before: [['models', 'add', 'reg-tiny', '@/tiny.onnx', '--store', '@/models.db']], args: ['eval', '--model', 'reg-tiny', '--data', '@/data', '--store', '@/models.db', '--workers', '0'], expect: { status: 0 } },
  { name: 'eval by bundled name on a wrong dataset', category: 'models', args: evalArgs('tiny.onnx', 'data').map((a) => (a === '@/tiny.onnx' ? 'fashion-cnn' : a)), expect: { status: 2, message: /predicts 10/ } },

  // --- images ---
  { name: 'dataset missing', category: 'images', args: evalArgs('tiny.onnx', 'nope'), expect: { status: 2, message: /dataset not found/ } },
  { name: 'dataset is a .txt file', category: 'images', args: evalArgs('tiny.onnx', 'list.txt'), expect: { status: 2, message: /neither a directory nor a \.csv manifest/ } },
  { name: 'empty dataset folder', category: 'images', args: evalArgs('tiny.onnx', 'empty-dir'), expect: { status: 2, message: /empty-dir/ } },
  { name: 'class folder without images', category: 'images', args: evalArgs('tiny.onnx', 'no-images'), expect: { status: 2, message: /no-images/ } },
  { name: 'truncated JPEG is skipped and counted', category: 'images', args: evalArgs('tiny.onnx', 'truncated-jpeg', '--json'), expect: { status: 0, message: /"skipped": [01]/ } },
  { name: 'zero-byte image is skipped and counted', category: 'images', args: evalArgs('tiny.onnx', 'zero-byte', '--json'), expect: { status: 0, message: /"skipped": 1/ } },
  { name: 'text file named .jpg is skipped', category: 'images', args: evalArgs('tiny.onnx', 'text-as-jpeg', '--json'), expect: { status: 0, message: /"skipped": 1/ } },
  { name: 'every image undecodable', category: 'images', args: evalArgs('tiny.onnx', 'all-corrupt'), expect: { status: 2, message: /no image .*could be decoded|none of the 3 images/ } },
  { name: 'BMP decodes', category: 'images', args: evalArgs('tiny.onnx', 'bmp', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: 'CMYK JPEG decodes', category: 'images', args: evalArgs('tiny.onnx', 'cmyk', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: '16-bit PNG decodes', category: 'images', args: evalArgs('tiny.onnx', 'png16', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: 'grayscale PNG decodes', category: 'images', args: evalArgs('tiny.onnx', 'gray', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: 'PNG with alpha decodes', category: 'images', args: evalArgs('tiny.onnx', 'alpha', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: 'PNG named .jpg decodes', category: 'images', args: evalArgs('tiny.onnx', 'png-as-jpg', '--json'), expect: { status: 0, message: /"count": 4,\s*"skipped": 0/ } },
  { name: 'image above the pixel limit is skipped', category: 'images', env: { ROBUSTART_MAX_PIXELS: '1000000' }, args: evalArgs('tiny.onnx', 'big', '--json'), expect: { status: 0, message: /"skipped": 1/ } },
  { name: 'symlink loop in dataset', category: 'images', args: evalArgs('tiny.onnx', 'loop'), expect: { status: 2, message: /symlink loop/ } },
  { name: 'dangling symlink in dataset is skipped', category: 'images', args: evalArgs('tiny.onnx', 'dangling', '--json'), expect: { status: 0, message: /"skipped": 1/ } },

  // --- CSV ---
  { name: 'CSV happy path (control)', category: 'csv', args: evalArgs('tiny.onnx', 'good.csv'), expect: { status: 0 } },
  { name: 'CSV label -1', category: 'csv', args: evalArgs('tiny.onnx', 'neg.csv'), expect: { status: 2, message: /neg\.csv line 2: label '-1' is not a class index/ } },
  { name: 'CSV label 1.5', category: 'csv', args: evalArgs('tiny.onnx', 'frac.csv'), expect: { status: 2, message: /frac\.csv line 2: label '1\.5' is not a class index/ } },
  { name: 'CSV label banana among indices', category: 'csv', args: evalArgs('tiny.onnx', 'banana.csv'), expect: { status: 2, message: /banana\.csv line 2: mixes class indices/ } },
  { name: 'CSV unknown class name for a labelled model', category: 'csv', args: evalArgs('labelled.onnx', 'names.csv'), expect: { status: 2, message: /names\.csv line 2: label 'banana' is not one of the model's classes/ } },
  { name: 'CSV path twice with two labels', category: 'csv', args: evalArgs('tiny.onnx', 'dup.csv'), expect: { status: 2, message: /dup\.csv line 3: .* is listed again with label '2' \(line 1 gives '0'\)/ } },
  { name: 'CSV header only', category: 'csv', args: evalArgs('tiny.onnx', 'header.csv'), expect: { status: 2, message: /has no samples/ } },
  { name: 'CSV empty', category: 'csv', args: evalArgs('tiny.onnx', 'empty.csv'), expect: { status: 2, message: /is empty/ } },
  { name: 'CSV line without label', category: 'csv', args: evalArgs('tiny.onnx', 'short.csv'), expect: { status: 2, message: /short\.csv line 2: expected 'path,label'/ } },
  { name: 'CSV label above the class count', category: 'csv', args: evalArgs('tiny.onnx', 'big-label.csv'), expect: { status: 2, message: /label 7 but model tiny predicts 3 classes/ } },
  { name: 'CSV row whose image is missing is skipped', category: 'csv', args: evalArgs('tiny.onnx', 'missing-file.csv', '--json'), expect: { status: 0, message: /"skipped": 1/ } },
  { name: 'CSV quoted path with a comma', category: 'csv', args: evalArgs('tiny.onnx', 'quoted.csv', '--json'), expect: { status: 0, message: /"skipped": 0/ } },
  { name: 'CSV with CRLF line ends', category: 'csv', args: evalArgs('tiny.onnx', 'crlf.csv', '--json'), expect: { status: 0, message: /"count": 2/ } },

  // --- stores ---
  { name: 'store is a text file', category: 'stores', args: ['results', 'list', '--store', '@/text.db'], expect: { status: 2, message: /text\.db is not a robustart results database/ } },
  { name: 'store is a text file (eval)', category: 'stores', args: [...evalArgs('tiny.onnx', 'data').slice(0, 5), '--store', '@/text.db'], expect: { status: 2, message: /text\.db is not a robustart results database/ } },
  { name: 'store is truncated SQLite', category: 'stores', args: ['results', 'list', '--store', '@/truncated.db'], expect: { status: 2, message: /truncated\.db/ } },
  { name: 'store has garbage pages', category: 'stores', args: ['results', 'list', '--store', '@/garbage-pages.db'], expect: { status: 2, message: /garbage-pages\.db/ } },
  { name: 'store path is a directory', category: 'stores', args: ['results', 'list', '--store', '@/store-dir.db'], expect: { status: 2, message: /store-dir\.db is a directory/ } },
  { name: 'results list on a missing store', category: 'stores', args: ['results', 'list', '--store', '@/never-created.db'], expect: { status: 2, message: /no results database at .*never-created\.db/ } },
  { name: 'results show unknown run', category: 'stores', args: ['results', 'show', 'ffffffff', '--store', '@/runs.db'], expect: { status: 2, message: /ffffffff/ } },
  { name: 'results export unknown format', category: 'stores', args: ['results', 'export', 'x', '--format', 'xml', '--store', '@/runs.db'], expect: { status: 2, message: /xml/ } },
  { name: 'report unknown run', category: 'stores', args: ['report', 'ffffffff', '--store', '@/runs.db'], expect: { status: 2, message: /ffffffff/ } },
  { name: 'system-noise heat map into a missing folder', category: 'images', args: ['system-noise', 'diff', '--image', '@/data/a/img-000.jpg', '--out', '@/no-dir/heat.png'], expect: { status: 2, message: /cannot write .*heat\.png: the folder .*no-dir does not exist/ } },
  { name: 'store in a folder that does not exist yet is created', category: 'stores', args: [...evalArgs('tiny.onnx', 'data').slice(0, 5), '--store', '@/no/such/folder/r.db'], expect: { status: 0 } },

  // --- grad ---
  { name: 'grad happy path (control)', category: 'grad', args: grad(), expect: { status: 0 } },
  { name: 'grad with a registered name', category: 'grad', before: [['models', 'add', 'grad-tiny', '@/tiny.onnx', '--store', '@/grad.db']], args: ['grad', '--model', 'grad-tiny', '--store', '@/grad.db', '--input', '@/x.npy', '--labels', '@/y.npy', '--out', '@/g2.npy'], expect: { status: 0 } },
  { name: 'grad with a bundled name and wrong input shape', category: 'grad', args: ['grad', '--model', 'fashion-cnn', '--input', '@/x.npy', '--labels', '@/y.npy', '--out', '@/g3.npy'], expect: { status: 2, message: /--input has shape/ } },
  { name: 'grad NaN input', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/x-nan.npy' : a)), expect: { status: 2, message: /x-nan\.npy .*NaN/ } },
  { name: 'grad pixels outside [0,1]', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/x-big.npy' : a)), expect: { status: 2, message: /x-big\.npy .*\[0,1\]/ } },
  { name: 'grad malformed .npy', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/bad.npy' : a)), expect: { status: 2, message: /bad\.npy/ } },
  { name: 'grad truncated .npy', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/cut.npy' : a)), expect: { status: 2, message: /cut\.npy/ } },
  { name: 'grad wrong input shape', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/x-shape.npy' : a)), expect: { status: 2, message: /--input has shape \(2, 3, 4, 4\)/ } },
  { name: 'grad label above class count', category: 'grad', args: grad().map((a) => (a === '@/y.npy' ? '@/y-big.npy' : a)), expect: { status: 2, message: /9/ } },
  { name: 'grad with a fixed-batch-1 model and two images', category: 'grad', args: grad().map((a) => (a === '@/tiny.onnx' ? '@/batch1.onnx' : a)), expect: { status: 0 } },
  { name: 'grad output folder missing', category: 'grad', args: grad().map((a) => (a === '@/g.npy' ? '@/no-dir/g.npy' : a)), expect: { status: 2, message: /folder .*no-dir does not exist/ } },
  { name: 'grad input missing', category: 'grad', args: grad().map((a) => (a === '@/x.npy' ? '@/none.npy' : a)), expect: { status: 2, message: /none\.npy/ } },

  // --- attack (the one-line behaviour; the command itself is another area) ---
  { name: 'attack --eps 8 for L∞', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'pgd', '--eps', '8'], expect: { status: 2, message: /--eps 8 is above 1/ } },
  { name: 'attack --eps 2 with --norm linf', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'cw', '--norm', 'linf', '--eps', '2'], expect: { status: 2, message: /--eps 2 is above 1|linf/ } },
  { name: 'attack negative --eps', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'pgd', '--eps', '-0.1'], expect: { status: 2, message: /--eps -0\.1 is not a non-negative number/ } },
  { name: 'attack negative --limit', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'fgsm', '--eps', '4/255', '--limit', '-1'], expect: { status: 2, message: /--limit -1/ } },
  { name: 'attack unknown attack', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'nope'], expect: { status: 2, message: /unknown attack 'nope'/ } },
  { name: 'attack without --eps', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'pgd'], expect: { status: 2, message: /needs --eps/ } },
  { name: 'attack on a NaN model', category: 'attack', args: ['attack', '--model', '@/nan.onnx', '--data', '@/data', '--attack', 'fgsm', '--eps', '4/255'], expect: { status: 2, message: /NaN/ } },
  { name: 'attack with a fixed-batch-1 model', category: 'attack', args: ['attack', '--model', '@/batch1.onnx', '--data', '@/data', '--attack', 'fgsm', '--eps', '1/255'], expect: { status: 0 } },
  { name: 'attack L2 --eps 8 is allowed', category: 'attack', args: ['attack', '--model', '@/tiny.onnx', '--data', '@/data', '--attack', 'pgd', '--norm', 'l2', '--eps', '8', '--steps', '1', '--limit', '2'], expect: { status: 0 } },
  // --- nas ---
  { name: 'nas without a subcommand', category: 'nas', args: ['nas'], expect: { status: 2, message: /give a subcommand: train, sample/ } },
  { name: 'nas unknown subcommand', category: 'nas', args: ['nas', 'search'], expect: { status: 2, message: /unknown subcommand search/ } },
  { name: 'nas sample without --space', category: 'nas', args: ['nas', 'sample', '--n', '2', '--dry-run'], expect: { status: 2, message: /--space is required/ } },
  { name: 'nas sample missing space file', category: 'nas', args: ['nas', 'sample', '--space', '@/none.yaml', '--n', '2', '--dry-run'], expect: { status: 2, message: /cannot read search space .*none\.yaml/ } },
  { name: 'nas sample a model as the space', category: 'nas', args: ['nas', 'sample', '--space', '@/tiny.onnx', '--n', '2', '--dry-run'], expect: { status: 2, message: /tiny\.onnx/ } },
  { name: 'nas sample more subnets than the space holds', category: 'nas', args: ['nas', 'sample', '--demo', '--n', '200000', '--dry-run'], expect: { status: 2, message: /distinct subnets, fewer than the 200000 requested/ } },
  { name: 'nas sample unknown strategy', category: 'nas', args: ['nas', 'sample', '--demo', '--n', '2', '--strategy', 'flops', '--dry-run'], expect: { status: 2, message: /--strategy flops is not one of uniform, macs/ } },
  { name: 'nas sample a plain model as the supernet', category: 'nas', args: ['nas', 'sample', '--space', 'fashion-tiny', '--supernet', '@/tiny.onnx', '--n', '2', '--data', '@/data', '--train-data', '@/data', '--store', '@/nas.db'], expect: { status: 2, message: /is not a robustart supernet/ } },
  { name: 'nas train --demo without --out', category: 'nas', args: ['nas', 'train', '--demo'], expect: { status: 2, message: /give --out/ } },
  { name: 'nas train with frozen layers', category: 'nas', args: ['nas', 'train', '--space', 'fashion-tiny', '--config', '@/nas-frozen.json', '--out', '@/supernet.onnx'], expect: { status: 2, message: /supernet training does not take techniques\.frozen/ } },
  { name: 'nas train AugMix JS loss with Mixup', category: 'nas', args: ['nas', 'train', '--space', 'fashion-tiny', '--config', '@/nas-augmix-mixup.json', '--out', '@/supernet.onnx'], expect: { status: 2, message: /AugMix with its consistency loss cannot be combined/ } },
];
