// A results store holding a small NAS study for tests: small VGG-style CNNs of different widths and depths
// (src/model/builders/cnn.ts), registered as subnets `<space>/<id>` with nas metadata and evaluated as ordinary
// runs (clean, adversarial, natural, system) through runEvaluation on a tiny image folder.
import { join } from 'node:path';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { macCount, parameterCount } from '../model/zoo/complexity.js';
import { loadModelFile } from '../model/load.js';
import { writeModel } from '../onnx/proto.js';
import { runEvaluation } from '../eval/run.js';
import { ResultStore } from '../store/store.js';
import { writeImageFolder } from './fixtures.js';

export const TEST_SPACE = 'tiny-cnn';

/** Subnet id -> choices: channels of the two stages and convolutions per stage. */
export const TEST_SUBNETS: readonly { id: string; width: [number, number]; depth: number }[] = [
  { id: '0', width: [4, 4], depth: 1 },
  { id: '1', width: [4, 8], depth: 1 },
  { id: '2', width: [8, 8], depth: 1 },
  { id: '3', width: [8, 8], depth: 2 },
  { id: '4', width: [8, 16], depth: 2 },
];

export const TEST_NAS_SUITES: readonly { suite: string; options?: Record<string, string> }[] = [
  { suite: 'clean' },
  { suite: 'adversarial', options: { attacks: 'fgsm:linf', eps: '2/255,8/255' } },
  { suite: 'natural', options: { corruptions: 'gaussian_noise', severities: '1,5' } },
  { suite: 'system', options: { decoders: 'sharp,jpegjs', resizers: 'pil-bilinear,cv2-linear' } },
];

/**
 * Writes the models and images under `dir`, registers each subnet in the store at `dir/results.db` and evaluates
 * it under TEST_NAS_SUITES (the first `suites` of them). Returns the store's path.
 */
export async function writeNasStore(dir: string, { subnets = TEST_SUBNETS, suites = TEST_NAS_SUITES, space = TEST_SPACE } = {}): Promise<string> {
  const classes = ['a', 'b', 'c'];
  const images = await writeImageFolder(join(dir, 'images'), classes, 2, 20);
  const path = join(dir, 'results.db');
  const store = new ResultStore(path);
  try {
    for (const [index, s] of subnets.entries()) {
      const config = { inputSize: [3, 16, 16] as const, numClasses: classes.length, widths: s.width, convsPerStage: s.depth, seed: 11 + index };
      const graph = buildSmallCnn(config);
      const file = join(dir, `subnet-${s.id}.onnx`);
      writeModel(file, graph.toModel());
      const loaded = loadModelFile(file);
      const params = parameterCount(graph);
      const macs = macCount(graph);
      const nas = { space, spaceHash: 'f00d', choices: { width: s.width, depth: s.depth }, params, macs };
      store.putModel({ name: `${space}/${s.id}`, path: loaded.path, sha256: loaded.sha256, metadata: { ...(loaded.metadata as unknown as Record<string, unknown>), nas }, parameters: params, macs });
      for (const suite of suites) {
        await runEvaluation({ model: `${space}/${s.id}`, data: images, suite: suite.suite, suiteOptions: suite.options, limit: 6, seed: 0, workers: 0, store });
      }
    }
  } finally {
    store.close();
  }
  return path;
}
