// The table of evaluation suites. A new suite is one file in this folder and one line here.
import type { Suite } from '../suite.js';
import { cleanSuite } from './clean.js';
import { naturalSuite } from './natural.js';
import { systemSuite } from './system.js';
import { adversarialSuite } from './adversarial.js';
import { imagenetASuite, imagenetOSuite, imagenetRSuite } from './imagenet-variants.js';

export const suites: Suite[] = [cleanSuite, naturalSuite, systemSuite, adversarialSuite, imagenetASuite, imagenetRSuite, imagenetOSuite];
