// robustart/train: Model builders and training.
export { buildSmallCnn, buildResNet, buildViT, buildMixer } from '../model/builders/index.js';
export { trainClassifier, type TrainConfig, type EpochRecord } from '../train/trainer.js';
