// The resizer a model's own preprocessing uses: Pillow's, bit-exact, because timm and torchvision
// evaluate on PIL images (transforms.Resize -> Image.resize with the model's interpolation).
import type { Resizer } from './seams.js';
import type { Interpolation } from '../model/metadata.js';
import { pilResizer } from './resize/pil.js';

export function modelResizer(interpolation: Interpolation): Resizer {
  return pilResizer(interpolation);
}
