// Small fixtures made by code for tests: tiny ONNX classifiers and image datasets in temp folders.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeModel, makeNode, makeValueInfo } from '../onnx/build.js';
import { decodeModel, writeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { makeTensor } from '../onnx/tensor.js';
import { Rng } from '../util/rng.js';
import { PACKAGE_ROOT, packagePath } from '../util/paths.js';
import { WAIT_LIMIT_MS } from './wait.js';

export function tempDir(prefix = 'robustart-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The published CLI: the file package.json's bin names (the bundle's, dist/pkg/cli/main.js). */
export const PUBLISHED_CLI = packagePath((JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { bin: Record<string, string> }).bin.robustart);

/** A temp folder where `import 'robustart'` resolves to this package, as in a project that installed it. */
export function projectDir(prefix = 'robustart-project-'): string {
  const dir = tempDir(prefix);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules', 'robustart'), 'dir');
  return dir;
}

export interface TinyClassifierOptions {
  readonly numClasses: number;
  readonly inputSize?: number;
  readonly metadata?: Record<string, unknown>;
  readonly seed?: number;
  /** Write metadata into metadata_props (default) or leave it out. */
  readonly withMetadata?: boolean;
  /** End in a Softmax: the model outputs probabilities instead of logits. */
  readonly probabilities?: boolean;
}

/**
 * GlobalAveragePool -> Flatten -> Gemm: a real (if weak) classifier whose logits are an exact
 * function of the per-channel means, so tests can predict its answers.
 */
export function writeTinyClassifier(path: string, options: TinyClassifierOptions): string {
  const size = options.inputSize ?? 16;
  const rng = new Rng(options.seed ?? 1);
  const weights = Float32Array.from({ length: 3 * options.numClasses }, () => rng.normal(0, 1));
  const bias = Float32Array.from({ length: options.numClasses }, () => rng.normal(0, 0.1));
  const graph = {
    name: 'tiny',
    node: [
      makeNode('GlobalAveragePool', ['input'], ['pooled']), makeNode('Flatten', ['pooled'], ['flat']), makeNode('Gemm', ['flat', 'W', 'b'], ['logits']),
      ...(options.probabilities ? [makeNode('Softmax', ['logits'], ['probabilities'], { axis: 1 })] : []),
    ],
    input: [makeValueInfo('input', ['N', 3, size, size])],
    output: [makeValueInfo(options.probabilities ? 'probabilities' : 'logits', ['N', options.numClasses])],
    initializer: [makeTensor('W', [3, options.numClasses], weights), makeTensor('b', [options.numClasses], bias)],
  };
  const metadata = options.withMetadata === false ? {} : { input_size: [3, size, size], interpolation: 'bilinear', crop_pct: 0.875, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], num_classes: options.numClasses, family: 'CNN', ...options.metadata };
  writeModel(path, makeModel(graph, 17, Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)]))));
  return path;
}

/** Writes an ImageFolder tree of solid-colour-with-noise JPEGs: `perClass` images for each class name. */
export async function writeImageFolder(root: string, classes: readonly string[], perClass: number, size = 24, seed = 7): Promise<string> {
  const rng = new Rng(seed);
  for (const [c, name] of classes.entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const data = new Uint8Array(size * size * 3);
      for (let p = 0; p < size * size; p++) {
        data[3 * p] = Math.min(255, Math.max(0, 40 * c + rng.int(60)));
        data[3 * p + 1] = rng.int(256);
        data[3 * p + 2] = Math.min(255, Math.max(0, 255 - 40 * c - rng.int(60)));
      }
      const jpeg = await sharp(data, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
      writeFileSync(join(root, name, `img-${String(i).padStart(3, '0')}.jpg`), jpeg);
    }
  }
  return root;
}

/** Two classes of 8×8 PNGs: bright left half or bright right half, plus noise. */
export async function halvesFolder(root: string, perClass: number): Promise<void> {
  const rng = new Rng(4);
  for (const [label, name] of ['left', 'right'].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Uint8Array.from({ length: 8 * 8 * 3 }, (_, k) => {
        const x = Math.floor(k / 3) % 8;
        return Math.max(0, Math.min(255, ((x < 4) === (label === 0) ? 190 : 60) + Math.round(rng.normal(0, 40))));
      });
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(join(root, name, `${String(i).padStart(3, '0')}.png`));
    }
  }
}

/**
 * Runs `node args…` as a child that SIGKILLs itself right after it first renames a file to `path` (a checkpoint or
 * model file, written atomically), through the `kill-on-rename` preload; resolves with the signal that ended it
 * ('SIGKILL' unless it finished without that rename) and its standard error. Unlike a kill sent from here when the
 * file is seen, it cannot come too late, whatever the machine's speed.
 */
export async function killChildAfterRename(args: readonly string[], path: string): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const hook = new URL('./kill-on-rename.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--import', hook, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KILL_ON_RENAME_TO: path } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // A child that hangs before the rename is killed too, so it cannot keep the test file alive.
  const hung = setTimeout(() => child.kill('SIGKILL'), WAIT_LIMIT_MS);
  const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(hung);
  return { signal, stderr };
}

/** Every initializer of the ONNX file at `path`, as plain numbers (for comparing trained weights). */
export function initializerValues(path: string): Map<string, number[]> {
  const g = Graph.fromModel(decodeModel(readFileSync(path)));
  return new Map([...g.initializers].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
}
