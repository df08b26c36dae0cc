// User extensions: `--plugin FILE` imports a module before the command runs. The module registers suites or
// corruptions when imported (calling the library's registerSuite / registerCorruption), or exports
// `register(robustart)`, which is called with the library (so the module need not resolve the package itself).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RobustartError } from '../errors.js';

/** Removes every `--plugin FILE` / `--plugin=FILE` from the arguments; they may stand anywhere. */
export function takePluginFlags(args: readonly string[]): { plugins: string[]; argv: string[] } {
  const plugins: string[] = [];
  const argv: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--plugin') {
      const file = args[i + 1];
      if (file === undefined || file.startsWith('--')) throw new RobustartError('--plugin needs a file: the JavaScript module that registers suites or corruptions');
      plugins.push(file);
      i++;
    } else if (arg.startsWith('--plugin=')) plugins.push(arg.slice('--plugin='.length));
    else argv.push(arg);
  }
  return { plugins, argv };
}

export async function loadPlugins(files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  const library = await import('../index.js');
  for (const file of files) {
    const path = resolve(file);
    if (!existsSync(path)) throw new RobustartError(`plugin ${file} does not exist; pass the path of a JavaScript module (.js or .mjs)`);
    let module: { register?: (robustart: typeof library) => unknown };
    try {
      module = await import(pathToFileURL(path).href);
    } catch (err) {
      if (err instanceof RobustartError) throw err;
      throw new RobustartError(`plugin ${file} failed to load: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
    }
    if (typeof module.register === 'function') await module.register(library);
  }
}
