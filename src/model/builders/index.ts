// TypeScript model builders: ONNX graphs with seeded initialisation, for training and benchmarks.
// Parameters of the zoo's families carry their reference implementation's state-dict names.
export { ModelBuilder, imageMetadata, type ImageModelConfig, type ArchitectureFamily } from './graph-builder.js';
export { buildSmallCnn, type SmallCnnConfig } from './cnn.js';
export { buildResNet, type ResNetConfig } from './resnet.js';
export { buildViT, type ViTConfig } from './vit.js';
export { buildMixer, type MixerConfig } from './mixer.js';
export { buildDenseNet, type DenseNetConfig } from './densenet.js';
export { buildEfficientNet, type EfficientNetConfig } from './efficientnet.js';
export { buildMobileNetV2, type MobileNetV2Config } from './mobilenet-v2.js';
export { buildMobileNetV3, type MobileNetV3Config } from './mobilenet-v3.js';
export { buildRegNet, regnetStages, type RegNetConfig } from './regnet.js';
export { buildRepVGG, reparameterizeRepVGG, type RepVGGConfig } from './repvgg.js';
export { buildShuffleNetV2, type ShuffleNetV2Config } from './shufflenet-v2.js';
export { buildConvNeXt, type ConvNeXtConfig } from './convnext.js';
export { buildAlexNet, type AlexNetConfig } from './alexnet.js';
