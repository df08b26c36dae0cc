// TypeScript model builders: ONNX graphs with seeded initialisation, for training and benchmarks.
export { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
export { buildSmallCnn, type SmallCnnConfig } from './cnn.js';
export { buildResNet, type ResNetConfig } from './resnet.js';
export { buildViT, type ViTConfig } from './vit.js';
export { buildMixer, type MixerConfig } from './mixer.js';
