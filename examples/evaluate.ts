// Evaluate a model under a suite: the bundled Fashion-MNIST CNN on its demo images, clean and under two
// ImageNet-C corruptions at severity 3. Results go to a SQLite store; rerunning resumes instead of recomputing.
//   npx tsx examples/evaluate.ts [store.db]
import { fileURLToPath } from 'node:url';
import { runEvaluation } from 'robustart/eval';

const data = fileURLToPath(new URL('../demo/data/fashion-mnist', import.meta.url));
const result = await runEvaluation({
  model: 'fashion-cnn',
  data,
  suite: 'natural',
  suiteOptions: { corruptions: 'fog,contrast', severities: [3] },
  limit: 20,
  store: process.argv[2] ?? ':memory:',
});

for (const [condition, metrics] of result.perCondition) console.log(`${condition.padEnd(12)} top-1 ${(100 * metrics.top1).toFixed(1)}%`);
for (const [metric, value] of Object.entries(result.suiteMetrics)) if (metric.startsWith('mean_error/')) console.log(`${metric.padEnd(22)} ${value?.toFixed(3)}`);
