// Child process of `npm run bench -- startup`: loads one model file, then times building its gradient session
// (createGradientSession, loss ce, input gradient) with the start-up cache in the given directory ('off': none),
// and prints the seconds as JSON. A process per measurement, so a warm figure owes nothing to the cold run's
// process (only to the cache directory it filled).
import { loadModelFile } from '../model/load.js';
import { createGradientSession } from '../autodiff/session.js';

const [path, cacheDir, threads] = process.argv.slice(2);
const model = loadModelFile(path);
const start = process.hrtime.bigint();
const session = await createGradientSession(model, { loss: 'ce' }, { graphCache: cacheDir === 'off' ? false : cacheDir, threads: Number(threads) || undefined });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
await session.dispose();
process.stdout.write(`${JSON.stringify({ seconds })}\n`);
