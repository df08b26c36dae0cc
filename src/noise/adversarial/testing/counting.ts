// A classifier wrapped to count the images it sees in logits calls and in gradient calls: what attack tests use to
// pin how many model passes an attack spends.
import type { DifferentiableClassifier } from '../../../model/differentiable.js';

export interface CountingModel {
  readonly model: DifferentiableClassifier;
  forwardImages(): number;
  gradientImages(): number;
}

export function countingModel(model: DifferentiableClassifier): CountingModel {
  let forward = 0, gradient = 0;
  const counted: DifferentiableClassifier = {
    inputShape: model.inputShape,
    numClasses: model.numClasses,
    logits: (x, n) => ((forward += n), model.logits(x, n)),
    lossAndGradient: (x, n, y, loss) => ((gradient += n), model.lossAndGradient(x, n, y, loss)),
  };
  return { model: counted, forwardImages: () => forward, gradientImages: () => gradient };
}
