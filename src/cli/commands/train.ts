// robustart train: trains the Fashion-MNIST demo CNN from scratch on robustart's own autodiff.
import type { Command } from '../command.js';
import { numberFlag, stringFlag } from '../command.js';
import { DEMO_ARCHITECTURES, DEMO_DEFAULTS, trainDemoModel, type DemoArchitecture } from '../../train/demo.js';
import { RobustartError } from '../../errors.js';
import { resolve } from 'node:path';
import { BUNDLED_MODELS } from '../../model/resolve.js';
import { packagePath } from '../../util/paths.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the Fashion-MNIST demo CNN (or a ResNet/ViT/Mixer) from scratch (SGD + momentum, cosine schedule)',
  usage: [
    '--out PATH         where to write the ONNX model (default fashion-<arch>.onnx here); the curve goes to <out>.training.json',
    '--replace-bundled  allow --out to be the bundled demo model (demo/model/fashion-cnn.onnx), replacing it',
    `--arch A           ${DEMO_ARCHITECTURES.join(' | ')} (default cnn: the bundled demo model)`,
    `--epochs N         default ${DEMO_DEFAULTS.epochs}`,
    `--batch N          default ${DEMO_DEFAULTS.batchSize}`,
    `--lr X             peak learning rate, default ${DEMO_DEFAULTS.learningRate}`,
    `--momentum X       default ${DEMO_DEFAULTS.momentum}`,
    `--weight-decay X   default ${DEMO_DEFAULTS.weightDecay}`,
    `--widths A,B,C     conv widths per stage, default ${DEMO_DEFAULTS.widths.join(',')}`,
    `--hidden N         classifier hidden units, default ${DEMO_DEFAULTS.hidden}`,
    `--seed N           default ${DEMO_DEFAULTS.seed}`,
    '--threads N        onnxruntime intra-op threads (default: all cores)',
    '--limit N          prepare and train on the first N training images, test on the first N test images (quick check)',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    arch: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    momentum: { type: 'string' },
    'weight-decay': { type: 'string' },
    widths: { type: 'string' },
    hidden: { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    limit: { type: 'string' },
    'replace-bundled': { type: 'boolean' },
  },
  async run(values) {
    const widthsText = stringFlag(values, 'widths');
    const widths = widthsText ? widthsText.split(',').map(Number) : DEMO_DEFAULTS.widths;
    if (widths.some((w) => !Number.isInteger(w) || w < 1)) throw new RobustartError(`--widths ${widthsText} must be positive integers separated by commas, e.g. 16,32,64`);
    const architecture = stringFlag(values, 'arch') ?? 'cnn';
    if (!(DEMO_ARCHITECTURES as readonly string[]).includes(architecture)) throw new RobustartError(`--arch ${architecture} is not known; use one of ${DEMO_ARCHITECTURES.join(', ')}`);
    const out = stringFlag(values, 'out') ?? `fashion-${architecture}.onnx`;
    const bundled = Object.values(BUNDLED_MODELS).map((p) => packagePath(p));
    if (bundled.includes(resolve(out)) && values['replace-bundled'] !== true) {
      throw new RobustartError(`--out ${out} is the bundled demo model; pass --replace-bundled to replace it, or write elsewhere`);
    }
    const result = await trainDemoModel({
      out,
      architecture: architecture as DemoArchitecture,
      epochs: numberFlag(values, 'epochs', DEMO_DEFAULTS.epochs, { min: 1, integer: true }),
      batchSize: numberFlag(values, 'batch', DEMO_DEFAULTS.batchSize, { min: 1, integer: true }),
      learningRate: numberFlag(values, 'lr', DEMO_DEFAULTS.learningRate, { min: 0 }),
      momentum: numberFlag(values, 'momentum', DEMO_DEFAULTS.momentum, { min: 0 }),
      weightDecay: numberFlag(values, 'weight-decay', DEMO_DEFAULTS.weightDecay, { min: 0 }),
      widths,
      hidden: numberFlag(values, 'hidden', DEMO_DEFAULTS.hidden, { min: 0, integer: true }),
      seed: numberFlag(values, 'seed', DEMO_DEFAULTS.seed, { integer: true }),
      threads: values.threads === undefined ? undefined : numberFlag(values, 'threads', 0, { min: 1, integer: true }),
      limit: values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true }),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`test top-1 ${(100 * result.testAccuracy).toFixed(2)}% after ${result.seconds.toFixed(0)} s\n`);
  },
};
