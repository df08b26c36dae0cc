// The resizer registry: every named variant the system-noise grid can use, one way in (resizerByName).
import { RobustartError } from '../../../errors.js';
import type { Resizer } from '../../../data/seams.js';
import { pilResizer } from '../../../data/resize/pil.js';
import { cv2Resizer } from './opencv.js';
import { sharpResizer, SHARP_KERNELS } from '../../../data/resize/sharp.js';
import { tfResizer } from './tensorflow.js';
import { torchResizer } from './torch.js';

export interface ResizerEntry {
  readonly name: string;
  /** the library family: pil, cv2, sharp, tf, torch */
  readonly family: string;
  /** how the variant is pinned to the real library */
  readonly checkedBy: 'python-fixture' | 'hand-computed' | 'library';
  create(): Resizer;
}

function entry(family: string, checkedBy: ResizerEntry['checkedBy'], create: () => Resizer): ResizerEntry {
  return { name: create().name, family, checkedBy, create };
}

export const RESIZERS: readonly ResizerEntry[] = [
  ...(['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as const).map((f) => entry('pil', 'python-fixture', () => pilResizer(f))),
  ...(['nearest', 'linear', 'cubic', 'area', 'lanczos4'] as const).map((m) => entry('cv2', 'python-fixture', () => cv2Resizer(m))),
  ...SHARP_KERNELS.map((k) => entry('sharp', 'library', () => sharpResizer(k))),
  entry('tf', 'hand-computed', () => tfResizer('bilinear')),
  entry('tf', 'hand-computed', () => tfResizer('bilinear', true)),
  entry('tf', 'hand-computed', () => tfResizer('bicubic')),
  entry('tf', 'hand-computed', () => tfResizer('bicubic', true)),
  entry('tf', 'hand-computed', () => tfResizer('area')),
  entry('torch', 'python-fixture', () => torchResizer('nearest')),
  entry('torch', 'python-fixture', () => torchResizer('bilinear')),
  entry('torch', 'python-fixture', () => torchResizer('bilinear', true)),
  entry('torch', 'python-fixture', () => torchResizer('bicubic')),
  entry('torch', 'python-fixture', () => torchResizer('bicubic', true)),
];

export function resizerNames(): string[] {
  return RESIZERS.map((r) => r.name);
}

export function resizerByName(name: string): Resizer {
  const found = RESIZERS.find((r) => r.name === name);
  if (!found) throw new RobustartError(`unknown resizer '${name}'; known: ${resizerNames().join(', ')}`);
  return found.create();
}
