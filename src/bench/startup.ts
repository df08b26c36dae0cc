// `npm run bench -- startup`: seconds to build the gradient session (createGradientSession, loss ce, input
// gradient) of a ResNet-50 and a ViT-B/16 from the TS builders at 224² (random weights, 1000 classes), each in a
// fresh process: without the start-up cache, cold (an empty cache directory, which the run fills) and warm (the
// filled directory). Targets (warm): <= 2 s for ResNet-50, <= 5 s for ViT-B/16. Then the same for
// createDifferentiableClassifier (what attacks start with: shapes and the forward session), beside a warm start whose
// forward session is built instead of read from the cache (how it started before that was cached).
// Flags: --models resnet50,vit-b16 (or a path to an .onnx file: tools/export-bench-swin.py writes Swin-T), --threads N (ORT intra-op threads; default ORT's choice), --no-classifier.
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { writeModel } from '../onnx/proto.js';
import { tempDir } from '../testing/fixtures.js';
import { benchModelLabel, buildBenchModel } from './_models.js';
import { flag, option } from './_timing.js';

/** Warm build targets, seconds. */
const WARM_TARGET_S: Record<string, number> = { resnet50: 2, 'vit-b16': 5 };

export async function run(args: string[]): Promise<void> {
  const names = option(args, 'models', 'resnet50,vit-b16').split(',');
  const threads = flag(args, 'threads', 0);
  const withClassifier = !args.includes('--no-classifier');
  const dir = tempDir('robustart-bench-startup-');
  const child = fileURLToPath(new URL('./_startup-child.js', import.meta.url));
  const measure = (path: string, cache: string, what = 'gradient') =>
    (JSON.parse(execFileSync(process.execPath, [child, path, cache, String(threads), what], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as { seconds: number }).seconds;
  const classifierRows: string[] = [];
  console.log(`startup bench: createGradientSession (loss ce, input gradient), a fresh process each; load average ${loadavg()[0].toFixed(1)}`);
  console.log('model      no cache s  cold s  warm s  cache MB  no cache / warm  warm target s');
  try {
    for (const name of names) {
      const file = basename(name, '.onnx'); // a model given as a path (Swin-T from tools/export-bench-swin.py) by its file's name
      const path = join(dir, `${file}.onnx`);
      const model = buildBenchModel(name);
      if (model instanceof Uint8Array) writeFileSync(path, model);
      else writeModel(path, model.toModel());
      writeFileSync(join(dir, `${file}.json`), JSON.stringify({ input_size: [3, 224, 224], num_classes: 1000 }));
      const cache = join(dir, `cache-${file}`);
      const off = measure(path, 'off');
      const cold = measure(path, cache);
      const warm = measure(path, cache);
      const megabytes = readdirSync(cache).reduce((n, f) => n + statSync(join(cache, f)).size, 0) / 1e6;
      console.log(`${benchModelLabel(name).padEnd(10)} ${off.toFixed(2).padStart(10)}  ${cold.toFixed(2).padStart(6)}  ${warm.toFixed(2).padStart(6)}  ${megabytes.toFixed(0).padStart(8)}  ${(off / warm).toFixed(2).padStart(15)}  ${String(WARM_TARGET_S[name] ?? '-').padStart(13)}`);
      if (!withClassifier) continue;
      const classifierCache = join(dir, `classifier-${file}`);
      const classifier = { off: measure(path, 'off', 'classifier'), cold: measure(path, classifierCache, 'classifier'), warm: measure(path, classifierCache, 'classifier'), built: measure(path, classifierCache, 'classifier-built-forward') };
      classifierRows.push(`${benchModelLabel(name).padEnd(10)} ${classifier.off.toFixed(2).padStart(10)}  ${classifier.cold.toFixed(2).padStart(6)}  ${classifier.warm.toFixed(2).padStart(6)}  ${classifier.built.toFixed(2).padStart(21)}  ${(classifier.built / classifier.warm).toFixed(2).padStart(17)}`);
    }
    if (withClassifier) {
      console.log('\ncreateDifferentiableClassifier (shapes and the forward session), a fresh process each');
      console.log('model      no cache s  cold s  warm s  warm, forward built s  built / warm');
      for (const row of classifierRows) console.log(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average at the end ${loadavg()[0].toFixed(1)}`);
}
