// robustart grad: per-sample loss and its gradient w.r.t. the input pixels of a model, .npy in and out.
import type { Command } from '../command.js';
import { checkOutputPath, numberFlag, requireFlag, stringFlag } from '../command.js';
import { resolveModelFlag } from '../model-flag.js';
import { parseDevice } from '../../model/session.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { parseLossKind, lossUsesTargets } from '../../autodiff/loss-heads.js';
import { readNpy, writeNpy, npyToFloat32, npyToInt32 } from '../../onnx/npy.js';
import { RobustartError } from '../../errors.js';

/** Pixels are in [0,1] (normalisation is inside the model): NaN, ±Inf or values outside would give a silent garbage gradient. */
function checkPixels(pixels: Float32Array, source: string): void {
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (Number.isNaN(v)) throw new RobustartError(`${source} holds NaN at flat index ${i}; --input must be finite pixels in [0,1]`);
    if (!(v >= 0 && v <= 1)) throw new RobustartError(`${source} holds ${v} at flat index ${i}; --input pixels must be in [0,1] (the model's normalisation is applied inside it)`);
  }
}

/** Registered names live in the store; a store that does not exist yet holds none, and is not created here. */
export const gradCommand: Command = {
  name: 'grad',
  summary: 'gradient of a loss head w.r.t. the input pixels ([0,1] space), as .npy',
  usage: [
    'robustart grad --model <path|name> --input x.npy --labels y.npy --out g.npy [flags]',
    '',
    '--model PATH|NAME  .onnx file, registered name (robustart models list) or bundled name; normalisation from its',
    '                   metadata is prepended, so pixels are in [0,1]',
    '--store PATH       results database holding the registered models (default .robustart/results.db)',
    '--input PATH       .npy float32 images [N, C, H, W] in [0,1]',
    '--labels PATH      .npy integer true classes [N]',
    '--loss KIND        ce (default), ce-targeted, cw, dlr, dlr-targeted, logit',
    '--targets PATH     .npy integer target classes [N] (ce-targeted, dlr-targeted, logit)',
    '--kappa K          C&W confidence: the cw margin is clamped at K (default: no clamp)',
    '--out PATH         .npy float32 gradient [N, C, H, W]',
    '--loss-out PATH    optional .npy float32 per-sample loss [N]',
    '--logits-out PATH  optional .npy float32 logits [N, classes]',
    '--device D         cpu (default), webgpu, cuda',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    store: { type: 'string' },
    input: { type: 'string' },
    labels: { type: 'string' },
    loss: { type: 'string' },
    targets: { type: 'string' },
    kappa: { type: 'string' },
    out: { type: 'string' },
    'loss-out': { type: 'string' },
    'logits-out': { type: 'string' },
    device: { type: 'string' },
  },
  async run(values) {
    const model = resolveModelFlag(requireFlag(values, 'model', 'grad'), stringFlag(values, 'store'));
    for (const note of model.notes) process.stderr.write(`robustart: note: ${note}\n`);
    const inputPath = requireFlag(values, 'input', 'grad');
    const images = readNpy(inputPath);
    const labels = npyToInt32(readNpy(requireFlag(values, 'labels', 'grad')));
    const out = requireFlag(values, 'out', 'grad');
    for (const path of [out, stringFlag(values, 'loss-out'), stringFlag(values, 'logits-out')]) if (path) checkOutputPath(path);
    checkPixels(npyToFloat32(images), inputPath);
    const kind = parseLossKind(stringFlag(values, 'loss') ?? 'ce');
    const [c, h, w] = model.metadata.input_size;
    if (images.shape.length !== 4 || images.shape[1] !== c || images.shape[2] !== h || images.shape[3] !== w) {
      throw new RobustartError(`--input has shape (${images.shape.join(', ')}); ${model.name} takes (N, ${c}, ${h}, ${w})`);
    }
    const batch = images.shape[0];
    const targetsPath = stringFlag(values, 'targets');
    if (lossUsesTargets(kind) && !targetsPath) throw new RobustartError(`robustart grad: --loss ${kind} needs --targets PATH`);
    const targets = targetsPath ? npyToInt32(readNpy(targetsPath)) : undefined;
    const kappa = values.kappa === undefined ? undefined : numberFlag(values, 'kappa', 0);
    const device = parseDevice(stringFlag(values, 'device'));
    const classifier = await createDifferentiableClassifier(model.pixelModelBytes, { executionProviders: [device], logitsName: model.outputName });
    const badLabel = labels.findIndex((l) => l < 0 || l >= model.metadata.num_classes);
    if (badLabel >= 0) throw new RobustartError(`--labels entry ${badLabel} is ${labels[badLabel]}; ${model.name} has classes 0..${model.metadata.num_classes - 1}`);
    const result = await classifier.lossAndGradient(npyToFloat32(images), batch, labels, { kind, ...(targets ? { targets } : {}), ...(kappa !== undefined ? { kappa } : {}) });
    writeNpy(out, { dtype: 'float32', shape: [...images.shape], data: result.gradient });
    const lossOut = stringFlag(values, 'loss-out');
    if (lossOut) writeNpy(lossOut, { dtype: 'float32', shape: [batch], data: result.loss });
    const logitsOut = stringFlag(values, 'logits-out');
    if (logitsOut) writeNpy(logitsOut, { dtype: 'float32', shape: [batch, classifier.numClasses], data: result.logits });
    let meanLoss = 0;
    for (const v of result.loss) meanLoss += v / batch;
    process.stdout.write(`${model.name}: ${kind} loss mean ${meanLoss.toFixed(6)} over ${batch} images; gradient written to ${out}\n`);
    await classifier.release();
  },
};
