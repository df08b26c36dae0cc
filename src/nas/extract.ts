// Extraction: a subnet as a standalone ONNX classifier whose weights are slices of the supernet's —
// leading output and input channels, the first blocks of each stage, centred crops of the kernels —
// with the supernet's normalisation and timm-style metadata, and `robustart.nas` recording the space,
// its hash and the choices.
import { DataType } from '../onnx/proto.js';
import type { Graph, Tensor } from '../onnx/graph.js';
import { RobustartError } from '../errors.js';
import { buildSubnet } from './supernet.js';
import { spaceHash, subnetId, type SearchSpace, type Choices } from './space.js';

/** Metadata key of an extracted subnet: JSON { space, spaceHash, choices }. */
export const NAS_METADATA_KEY = 'robustart.nas';
/** Metadata key of a supernet file: JSON { space (the whole space), spaceHash }. */
export const SUPERNET_METADATA_KEY = 'robustart.nas.supernet';

export interface NasRecord {
  readonly space: string;
  readonly spaceHash: string;
  readonly choices: Choices;
}

/** A tensor cut from a larger one: leading entries on the channel axes (0, 1), the centred window on the kernel axes. */
export function sliceTensor(source: Tensor, dims: readonly number[], name: string): Float32Array {
  if (source.dims.length !== dims.length || dims.some((d, i) => d > source.dims[i])) {
    throw new RobustartError(`subnet parameter ${name} [${dims.join(', ')}] does not fit in the supernet's [${source.dims.join(', ')}]`);
  }
  const data = source.data as Float32Array;
  const offsets = dims.map((d, i) => (i >= 2 ? (source.dims[i] - d) / 2 : 0));
  const strides = source.dims.map((_, i) => source.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const total = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  const index = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < total; k++) {
    let at = 0;
    for (let i = 0; i < dims.length; i++) at += (index[i] + offsets[i]) * strides[i];
    out[k] = data[at];
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++index[i] < dims[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

/** The subnet `choices` of a (trained) supernet graph, as a standalone classifier. */
export function extractSubnet(space: SearchSpace, supernet: Graph, choices: Choices): Graph {
  const subnet = buildSubnet(space, choices, { initialize: false });
  for (const [name, t] of subnet.initializers) {
    if (t.dataType !== DataType.FLOAT || t.dims.length === 0) continue;
    const source = supernet.initializers.get(name);
    if (!source) throw new RobustartError(`the supernet has no parameter ${name}; it was not built from space ${space.name}`);
    subnet.initializers.set(name, { ...t, data: sliceTensor(source, t.dims, name) });
  }
  const record: NasRecord = { space: space.name, spaceHash: spaceHash(space), choices };
  const inherited = { ...supernet.metadata };
  delete inherited[SUPERNET_METADATA_KEY];
  subnet.metadata = {
    ...inherited,
    input_size: JSON.stringify([space.channels, choices.resolution, choices.resolution]),
    num_classes: JSON.stringify(space.classes),
    family: JSON.stringify('CNN'),
    architecture: JSON.stringify(`${space.name}/${subnetId(choices)}`),
    [NAS_METADATA_KEY]: JSON.stringify(record),
  };
  return subnet;
}
