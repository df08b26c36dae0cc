import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALEXNET_CORRUPTION_ERRORS, ALEXNET_CLEAN_ERROR, MCE_CORRUPTIONS, corruptionError, relativeCorruptionError, summarizeCorruptionErrors } from './corruption.js';

// ResNet-50 (torchvision, the model of the ImageNet-C paper) on ImageNet-C.
// Mean top-1 error over severities, from an evaluation log of torchvision's resnet50 (clean top-1 76.13%):
const RESNET50_MEAN_ERROR: Record<string, number> = {
  gaussian_noise: 1 - 0.2929,
  impulse_noise: 1 - 0.2381,
  defocus_blur: 1 - 0.3875,
  glass_blur: 1 - 0.2679,
  frost: 1 - 0.3814,
  fog: 1 - 0.4583,
  brightness: 1 - 0.6802,
  contrast: 1 - 0.3906,
  elastic_transform: 1 - 0.4525,
};
// The paper's Table 1 row for ResNet-50 (CE in %, rounded to integers; mCE 76.7).
const RESNET50_PUBLISHED_CE: Record<string, number> = {
  gaussian_noise: 80, shot_noise: 82, impulse_noise: 83, defocus_blur: 75, glass_blur: 89, motion_blur: 78, zoom_blur: 80,
  snow: 78, frost: 75, fog: 66, brightness: 57, contrast: 71, elastic_transform: 85, pixelate: 77, jpeg_compression: 77,
};

test('mCE of ResNet-50 from its published per-corruption errors is 76.7%', () => {
  const table: Record<string, number[]> = {};
  for (const c of MCE_CORRUPTIONS) {
    // Where only the rounded CE is published, recover the error from it and AlexNet's error.
    const e = RESNET50_MEAN_ERROR[c] ?? (RESNET50_PUBLISHED_CE[c] / 100) * ALEXNET_CORRUPTION_ERRORS[c];
    table[c] = [e, e, e, e, e];
  }
  const summary = summarizeCorruptionErrors(table, 0.2387);
  for (const c of MCE_CORRUPTIONS) assert.equal(Math.round(summary.ce[c] * 100), RESNET50_PUBLISHED_CE[c], c);
  assert.ok(summary.mCE !== null && Math.abs(summary.mCE * 100 - 76.7) < 0.1, `mCE ${summary.mCE}`);
  assert.ok(summary.relativeMCE !== null && summary.relativeMCE > 0.9 && summary.relativeMCE < 1.2);
});

test('CE sums errors over the five severities and divides by AlexNet; relative CE subtracts clean errors', () => {
  const errors = [0.5, 0.6, 0.7, 0.8, 0.9];
  assert.ok(Math.abs(corruptionError(errors, 'fog')! - 0.7 / 0.819324) < 1e-12);
  assert.ok(Math.abs(relativeCorruptionError(errors, 0.3, 'fog')! - (0.7 - 0.3) / (0.819324 - ALEXNET_CLEAN_ERROR)) < 1e-12);
  // AlexNet's own errors give CE 1 and relative CE 1 everywhere.
  const alexnet = Object.fromEntries(MCE_CORRUPTIONS.map((c) => [c, Array(5).fill(ALEXNET_CORRUPTION_ERRORS[c])]));
  const summary = summarizeCorruptionErrors(alexnet, ALEXNET_CLEAN_ERROR);
  assert.ok(Math.abs(summary.mCE! - 1) < 1e-12 && Math.abs(summary.relativeMCE! - 1) < 1e-12);
});

test('mCE is null until all 15 corruptions have five severities; extras are reported unnormalised', () => {
  assert.equal(corruptionError([0.5, 0.5], 'fog'), null);
  assert.equal(corruptionError([0.5, 0.5, 0.5, 0.5, 0.5], 'spatter'), null);
  const summary = summarizeCorruptionErrors({ fog: [0.5, 0.5, 0.5, 0.5, 0.5], spatter: [0.2, 0.4] });
  assert.equal(summary.mCE, null);
  assert.equal(summary.relativeMCE, null);
  assert.ok('fog' in summary.ce && !('spatter' in summary.ce));
  assert.ok(Math.abs(summary.meanError.spatter - 0.3) < 1e-12);
});
