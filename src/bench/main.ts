// `npm run bench -- <name> [args]`: runs src/bench/<name>.ts, which prints its figures and ratios
// against a baseline measured in the same run (never absolute thresholds: machines differ).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RobustartError } from '../errors.js';

interface Bench {
  run(args: string[]): Promise<void>;
}

function available(): string[] {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js') && f !== 'main.js' && !f.startsWith('_'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const names = available();
  if (!name || !names.includes(name)) {
    throw new RobustartError(`${name ? `unknown benchmark '${name}'` : 'name a benchmark'}; available: ${names.join(', ')} (npm run bench -- <name>)`);
  }
  const bench = (await import(`./${name}.js`)) as Bench;
  await bench.run(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof RobustartError ? err.message : (err as Error).stack}\n`);
  process.exitCode = err instanceof RobustartError ? 2 : 1;
});
