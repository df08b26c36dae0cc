// Child process of `npm run bench -- startup`: loads one model file, then times one start-up with the start-up cache in
// the given directory ('off': none) and prints the seconds as JSON. What is timed: 'gradient', building its gradient
// session (createGradientSession, loss ce, input gradient); 'classifier', createDifferentiableClassifier (shapes and
// the forward session); 'classifier-built-forward', the same with the forward session built rather than read from the
// cache (shapes still from it), as classifiers started before the forward graph was cached. A process per
// measurement, so a warm figure owes nothing to the cold run's process (only to the cache directory it filled).
import { loadModelFile } from '../model/load.js';
import { createGradientSession, forwardGraphOf, prepareForSessions } from '../autodiff/session.js';
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { createSession } from '../onnx/runtime.js';

const [path, cacheDir, threads, what = 'gradient'] = process.argv.slice(2);
const model = loadModelFile(path);
const options = { graphCache: cacheDir === 'off' ? (false as const) : cacheDir, threads: Number(threads) || undefined };
const start = process.hrtime.bigint();
if (what === 'classifier') {
  await (await createDifferentiableClassifier(model, options)).dispose();
} else if (what === 'classifier-built-forward') {
  const prepared = await prepareForSessions(model, options);
  await (await createSession(forwardGraphOf(prepared), options, 'model')).release();
} else {
  await (await createGradientSession(model, { loss: 'ce' }, options)).dispose();
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds })}\n`);
