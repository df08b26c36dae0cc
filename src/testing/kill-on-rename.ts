// Preloaded (`node --import`) into a child process that a test kills at an exact point: as soon as a file is renamed
// to the path in KILL_ON_RENAME_TO (a checkpoint's atomic write ends with that rename), the process SIGKILLs itself,
// as a machine dies: no cleanup, no last write. A kill sent from the test process at that moment would race the
// child, which on a fast machine (or one where the test process waits for a core) can finish its remaining epochs
// before the test looks again.
import { createRequire } from 'node:module';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

const target = process.env.KILL_ON_RENAME_TO;
if (target) {
  const fs = createRequire(import.meta.url)('node:fs') as { renameSync: (from: string, to: string) => void };
  const rename = fs.renameSync;
  fs.renameSync = (from, to) => {
    rename(from, to);
    if (resolve(String(to)) === resolve(target)) process.kill(process.pid, 'SIGKILL');
  };
  // ES modules' `import { renameSync } from 'node:fs'` bindings follow the patched function from here on.
  syncBuiltinESMExports();
}
