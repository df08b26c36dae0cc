import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { subsetIndices, subsetWnids } from '../../metrics/imagenet-subsets.js';
import { evaluateImageNetO, evaluateSubsetAccuracy, type LogitSource } from './imagenet-shifts.js';

const preprocess = { input_size: [3, 8, 8] as [number, number, number], crop_pct: 1, interpolation: 'bilinear' as const };

/** Writes one flat-colour PNG per entry; the red level encodes a class code the fake model reads back. */
async function writeImages(root: string, entries: [string, number][]): Promise<void> {
  let k = 0;
  for (const [wnid, code] of entries) {
    await mkdir(join(root, wnid), { recursive: true });
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: code, g: 0, b: 0 } } }).png().toFile(join(root, wnid, `img${k++}.png`));
  }
}

/**
 * A fake 1000-class model: a strong logit at 1000-class index `red` (the encoded class) and a stronger one at
 * class 999's neighbour outside every subset... unless red is 0 (an "unsure" image: flat logits).
 */
function fakeModel(outsideClass: number): LogitSource {
  return {
    numClasses: 1000,
    async logits(images, batch) {
      const out = new Float32Array(batch * 1000);
      for (let b = 0; b < batch; b++) {
        const red = Math.round(images[b * 192] * 255);
        out[b * 1000 + outsideClass] = 100; // outside the subset: must be ignored
        if (red > 0) out[b * 1000 + red] = 10;
      }
      return out;
    },
  };
}

test('ImageNet-A/R accuracy restricts the logits to the 200 classes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'robustart-a-'));
  try {
    const wnids = subsetWnids('imagenet-a');
    const indices = subsetIndices('imagenet-a');
    // Three images whose encoded class is their own class (correct), one encoding another subset class (wrong).
    await writeImages(root, [[wnids[0], indices[0]], [wnids[1], indices[1]], [wnids[2], indices[2]], [wnids[3], indices[4]]]);
    const outside = [...Array(1000).keys()].find((i) => !indices.includes(i))!;
    const result = await evaluateSubsetAccuracy('imagenet-a', root, { classifier: fakeModel(outside), preprocess });
    assert.equal(result.count, 4);
    assert.equal(result.accuracy, 0.75);
    await mkdir(join(root, 'n99999999'));
    await writeImages(root, [['n99999999', 1]]);
    await assert.rejects(evaluateSubsetAccuracy('imagenet-a', root, { classifier: fakeModel(outside), preprocess }), /not one of the 200 imagenet-a classes/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('ImageNet-O: unsure (flat) ImageNet-O images against confident validation images give AUPR 1', async () => {
  const root = await mkdtemp(join(tmpdir(), 'robustart-o-'));
  try {
    const wnids = subsetWnids('imagenet-o');
    const indices = subsetIndices('imagenet-o');
    await writeImages(join(root, 'o'), [[wnids[0], 0], [wnids[1], 0]]);
    // Validation: two confident images of O classes, one of a class outside the O list (left out).
    await writeImages(join(root, 'val'), [[wnids[5], indices[5]], [wnids[6], indices[6]], ['n01440764', 0]]);
    const outside = [...Array(1000).keys()].find((i) => !indices.includes(i))!;
    const result = await evaluateImageNetO(join(root, 'o'), join(root, 'val'), { classifier: fakeModel(outside), preprocess });
    assert.equal(result.outOfDistribution, 2);
    assert.equal(result.inDistribution, 2);
    assert.equal(result.aupr, 1);
    assert.equal(result.auroc, 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
