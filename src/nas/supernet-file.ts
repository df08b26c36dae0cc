// A supernet file: the supernet graph (selection inputs included) with its trained weights, timm-style
// metadata (normalisation, crop, interpolation, labels) and `robustart.nas.supernet` = the space it was
// built from and that space's hash, so a subnet is never sliced from another space's weights.
import { existsSync, readFileSync } from 'node:fs';
import { nodeCrypto } from '../util/native.js';
import { decodeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { RobustartError } from '../errors.js';
import { SUPERNET_METADATA_KEY } from './extract.js';
import { spaceHash, type SearchSpace } from './space.js';

export interface SupernetFile {
  readonly path: string;
  readonly sha256: string;
  readonly graph: Graph;
  readonly space: SearchSpace;
  readonly normalization: { readonly mean: number[]; readonly std: number[] };
  readonly cropPct: number;
  readonly interpolation: 'bilinear' | 'bicubic';
}

export function supernetMetadata(space: SearchSpace): Record<string, string> {
  return { [SUPERNET_METADATA_KEY]: JSON.stringify({ space, spaceHash: spaceHash(space) }) };
}

/** Reads a supernet and checks it was trained on `space` (when given). */
export function loadSupernet(path: string, space?: SearchSpace): SupernetFile {
  if (!existsSync(path)) throw new RobustartError(`supernet file not found: ${path}; train one with robustart nas train, or pass the path of a trained supernet`);
  const bytes = readFileSync(path);
  const graph = Graph.fromModel(decodeModel(bytes, path));
  const raw = graph.metadata[SUPERNET_METADATA_KEY];
  if (!raw) throw new RobustartError(`${path} is not a robustart supernet (no ${SUPERNET_METADATA_KEY} metadata); train one with robustart nas train`);
  const recorded = JSON.parse(raw) as { space: SearchSpace; spaceHash: string };
  if (space && recorded.spaceHash !== spaceHash(space)) {
    throw new RobustartError(`supernet ${path} was trained on space ${recorded.space.name} (hash ${recorded.spaceHash}), not on space ${space.name} (hash ${spaceHash(space)}); use the space it was trained on`);
  }
  const meta = (key: string, fallback: unknown) => (graph.metadata[key] ? JSON.parse(graph.metadata[key]) : fallback);
  const chosen = space ?? recorded.space;
  return {
    path,
    sha256: nodeCrypto.createHash('sha256').update(bytes).digest('hex'),
    graph,
    space: chosen,
    normalization: { mean: meta('mean', chosen.mean), std: meta('std', chosen.std) },
    cropPct: meta('crop_pct', 0.875),
    interpolation: meta('interpolation', 'bicubic') === 'bilinear' ? 'bilinear' : 'bicubic',
  };
}
