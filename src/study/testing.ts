// A tiny study for tests: tiny classifiers (two families, a baseline and one technique each) on a small image
// folder, under clean, natural, system and adversarial suites at small settings.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';

export const TEST_MODELS = [
  { name: 'cnn-base', family: 'CNN', technique: 'baseline', seed: 1 },
  { name: 'cnn-mix', family: 'CNN', technique: 'mixup', seed: 2 },
  { name: 'vit-base', family: 'ViT', technique: 'baseline', seed: 3 },
  { name: 'vit-mix', family: 'ViT', technique: 'mixup', seed: 4 },
] as const;

export const TEST_SUITES = [
  { suite: 'clean' },
  { suite: 'natural', options: { corruptions: 'gaussian_noise', severities: '1-5' } },
  { suite: 'system', options: { decoders: 'sharp,jpegjs', resizers: 'pil-bilinear,cv2-linear' } },
  { suite: 'adversarial', options: { attacks: 'fgsm:linf' } },
];

/** Writes models, images and the study YAML under `dir`; returns the YAML's path. */
export async function writeTestStudy(dir: string, { models = TEST_MODELS.length, suites = TEST_SUITES, perClass = 3, extra = {} }: { models?: number; suites?: readonly object[]; perClass?: number; extra?: Record<string, unknown> } = {}): Promise<string> {
  const classes = ['a', 'b', 'c'];
  await writeImageFolder(join(dir, 'images'), classes, perClass, 20);
  const entries = TEST_MODELS.slice(0, models).map((m) => {
    writeTinyClassifier(join(dir, `${m.name}.onnx`), { numClasses: classes.length, inputSize: 16, seed: m.seed });
    return { name: m.name, onnx: `${m.name}.onnx`, family: m.family, technique: m.technique, tags: { size: 'tiny' } };
  });
  const study = { name: 'tiny', description: 'tiny classifiers for tests', seed: 3, workers: 0, models: entries, datasets: [{ name: 'images', path: 'images' }], suites, ...extra };
  const path = join(dir, 'study.yaml');
  writeFileSync(path, stringify(study));
  return path;
}
