// A --model flag resolved as eval resolves it: a path, a bundled name, or a name registered in the results
// database. Commands that only read the registry never create a database: an explicit --store that does not
// exist is an error, a missing default store just means no registered names.
import { existsSync } from 'node:fs';
import { RobustartError } from '../errors.js';
import { resolveModel } from '../model/resolve.js';
import type { LoadedModel } from '../model/load.js';
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
