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

/** node:util parseArgs's refusals (an unknown flag, a value that looks like a flag): the user's, said on one line. */
const isFlagError = (err: unknown) => String((err as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');

main(process.argv.slice(2)).catch((err: unknown) => {
  const users = err instanceof RobustartError || isFlagError(err);
  process.stderr.write(`bench: ${users ? (err as Error).message.split('\n').join(' ') : (err as Error).stack}\n`);
  process.exitCode = users ? 2 : 1;
});
