// The zoo's built-in architectures, registered once on import. A new family is a builder file in
// src/model/builders/ exporting an Architecture, and a line here.
import { registerArchitecture } from './registry.js';
import { resnetArchitecture } from '../builders/resnet.js';
import { densenetArchitecture } from '../builders/densenet.js';
import { efficientnetArchitecture } from '../builders/efficientnet.js';
import { mobilenetV2Architecture } from '../builders/mobilenet-v2.js';
import { mobilenetV3Architecture } from '../builders/mobilenet-v3.js';
import { regnetArchitecture } from '../builders/regnet.js';
import { repvggArchitecture } from '../builders/repvgg.js';
import { shufflenetV2Architecture } from '../builders/shufflenet-v2.js';
import { vitArchitecture } from '../builders/vit.js';
import { mixerArchitecture } from '../builders/mixer.js';
import { convnextArchitecture } from '../builders/convnext.js';
import { alexnetArchitecture } from '../builders/alexnet.js';

registerArchitecture('resnet', resnetArchitecture);
registerArchitecture('densenet', densenetArchitecture);
registerArchitecture('efficientnet', efficientnetArchitecture);
registerArchitecture('mobilenet_v2', mobilenetV2Architecture);
registerArchitecture('mobilenet_v3_large', mobilenetV3Architecture);
registerArchitecture('regnet_x', regnetArchitecture);
registerArchitecture('repvgg', repvggArchitecture);
registerArchitecture('shufflenet_v2', shufflenetV2Architecture);
registerArchitecture('vit', vitArchitecture);
registerArchitecture('mixer', mixerArchitecture);
registerArchitecture('convnext', convnextArchitecture);
registerArchitecture('alexnet', alexnetArchitecture);
