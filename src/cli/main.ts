#!/usr/bin/env node
// robustart CLI entry: dispatches to a subcommand; prints errors as one line, never a stack.
import { commands } from './commands/index.js';
import { parseCommandArgs } from './command.js';
import { RobustartError } from '../errors.js';
import { maxOf } from '../util/array.js';
import { storeError } from '../store/store.js';
import { asFlagError } from './options.js';
import { asModelCommandHint } from './model-flag.js';
import { loadPlugins, takePluginFlags } from './plugins.js';

function printHelp(): void {
  const width = Math.max(maxOf(commands.map((c) => c.name.length)), 8);
  process.stdout.write(`robustart: robustness benchmark for image classifiers\n\nusage: robustart <command> [flags]\n\ncommands:\n`);
  for (const c of commands) process.stdout.write(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  process.stdout.write(`\nrobustart <command> --help shows a command's flags.\n`);
  process.stdout.write(`--plugin FILE (repeatable, anywhere) first imports a module that registers suites or corruptions.\n`);
}

export async function main(args: string[]): Promise<number> {
  const { plugins, argv } = takePluginFlags(args);
  await loadPlugins(plugins);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return 0;
  }
  if (name === '--version') {
    const { version } = await import('../version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new RobustartError(`unknown command '${name}'; run robustart --help for the list`);
  const { values, positionals } = parseCommandArgs(command, rest);
  if (values.help) {
    process.stdout.write(`robustart ${command.name}: ${command.summary}\n\n${command.usage}\n`);
    return 0;
  }
  return (await command.run(values as Record<string, string | boolean | undefined>, positionals)) ?? 0;
}

// `robustart results export RUN | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

/**
 * Failures of the disk or the store that reach here (a full disk mid-run, a store made read-only under a running
 * command, a symlink loop) are the user's to fix, not bugs: one line naming the file.
 */
function systemError(err: unknown): unknown {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code.startsWith('SQLITE_')) return storeError(err);
  const path = (err as { path?: unknown })?.path;
  const where = typeof path === 'string' ? ` ${path}` : '';
  if (code === 'ENOSPC') return new RobustartError(`no space left on the disk writing${where}; free space and rerun the same command (evaluations resume from the stored records)`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new RobustartError(`permission denied on${where || ' a file'}; make it writable or choose another path`);
  if (code === 'ELOOP') return new RobustartError(`symlink loop at${where || ' a path'}; remove the link that points back into its own folder`);
  if (code === 'EISDIR') return new RobustartError(`${where.trim() || 'a path'} is a directory where a file is expected`);
  if (code === 'ENOENT') return new RobustartError(`no such file or folder: ${where.trim() || 'a path'}; check the path (a file is written only into a folder that exists)`);
  if (code === 'ENOTDIR') return new RobustartError(`${where.trim() || 'a path'}: a part of the path is a file, not a folder`);
  return err;
}

/**
 * Every command exits when its work is done. A handle left open by a library (a worker, a socket) must not turn a
 * finished command into a hang: once main settles, an unref'd timer ends the process if nothing else has.
 */
function exitWhenIdle(): void {
  setTimeout(() => {
    if (process.env.ROBUSTART_DEBUG) process.stderr.write('robustart: a handle was still open after the command finished\n');
    process.exit();
  }, 2000).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitWhenIdle();
  },
  (caught: unknown) => {
    const err = asFlagError(asModelCommandHint(systemError(caught)));
    if (err instanceof RobustartError) {
      process.stderr.write(`robustart: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`robustart: internal error: ${(err as Error)?.message ?? String(err)}\n`);
      if (process.env.ROBUSTART_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
      process.stderr.write('robustart: this is a bug; rerun with ROBUSTART_DEBUG=1 for the stack and report it\n');
      process.exitCode = 1;
    }
    exitWhenIdle();
  },
);
