// Readers for the zoo's reference fixtures (tools/zoo-reference.py): a reduced model per family with
// its weights, an input batch and the reference logits, and a rebuild of that model by the zoo.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildArchitecture, halfToFloat, type NamedTensor } from '../model/zoo/index.js';
import { createSession, tensor } from '../onnx/runtime.js';
import type { Graph } from '../onnx/graph.js';

export const ZOO_PARITY_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'zoo', 'parity');

export interface ParityFixture {
  readonly family: string;
  readonly resolution: number;
  readonly classes: number;
  readonly options: Record<string, unknown>;
  readonly params: number;
  readonly weights: Map<string, NamedTensor>;
  readonly input: { dims: number[]; data: Float32Array };
  readonly logits: { dims: number[]; data: Float32Array };
}

export function readParityFixture(family: string): ParityFixture {
  const meta = JSON.parse(readFileSync(join(ZOO_PARITY_FIXTURES, `${family}.json`), 'utf8'));
  const blob = readFileSync(join(ZOO_PARITY_FIXTURES, `${family}.bin`));
  const bytes = new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  const floats = (offset: number, dims: number[]) => new Float32Array(bytes.slice(offset, offset + 4 * dims.reduce((a, b) => a * b, 1)).buffer);
  const weights = new Map<string, NamedTensor>();
  for (const t of meta.tensors as { name: string; dims: number[]; offset: number }[]) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    weights.set(t.name, { dims: t.dims, data: halfToFloat(new Uint16Array(bytes.slice(t.offset, t.offset + 2 * n).buffer)) });
  }
  return { ...meta, weights, input: { dims: meta.input.dims, data: floats(meta.input.offset, meta.input.dims) }, logits: { dims: meta.logits.dims, data: floats(meta.logits.offset, meta.logits.dims) } };
}

export function fixtureGraph(f: ParityFixture, options: Record<string, unknown> = {}): Graph {
  return buildArchitecture(f.family, { ...f.options, ...options }, { resolution: f.resolution, classes: f.classes, initialize: false });
}

export async function logitsOf(graph: Graph, input: { dims: number[]; data: Float32Array }): Promise<Float32Array> {
  const session = await createSession(graph);
  const out = await session.run({ input: tensor('float32', input.data, input.dims) });
  await session.release();
  return out.logits.data as Float32Array;
}

/** max |a − b| / max |b|. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

