// A --model flag resolved as eval resolves it: a path, a bundled name, or a name registered in the results
// database. Commands that only read the registry never create a database: an explicit --store that does not
// exist is an error, a missing default store just means no registered names.
import { existsSync } from 'node:fs';
import { RobustartError } from '../errors.js';
import { resolveModel } from '../model/resolve.js';
import { ModelNotFoundError, type LoadedModel } from '../model/load.js';
import { ResultStore, defaultStorePath } from '../store/store.js';

export function resolveModelFlag(name: string, storePath: string | undefined): LoadedModel {
  const file = storePath ?? defaultStorePath();
  if (!existsSync(file)) {
    if (storePath !== undefined) throw new RobustartError(`no results database at ${storePath}; check the path`);
    return resolveModel(name);
  }
  const store = new ResultStore(file, { mustExist: true });
  try {
    return resolveModel(name, store);
  } finally {
    store.close();
  }
}

/** A library error about a model that cannot be found, with the remedy in the CLI's commands. */
export function asModelCommandHint(err: unknown): unknown {
  if (!(err instanceof ModelNotFoundError)) return err;
  const remedy = {
    'missing-file': 'pass an existing .onnx path or a registered model name (robustart models list)',
    'stale-registration': `re-add it with robustart models add ${err.model} <path>`,
    'unknown-name': 'pass a path to an .onnx file, or see robustart models list',
  }[err.reason];
  return new RobustartError(`${err.problem}; ${remedy}`, err.exitCode);
}
