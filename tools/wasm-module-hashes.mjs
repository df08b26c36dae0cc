// Preload that records the SHA-256 of every WebAssembly module compiled in the process (and in the processes
// it starts that inherit NODE_OPTIONS), one line "sha256 bytes" per compile appended to $WASM_HASHES_FILE. A
// rewrite of the emitted kernels (src/util/wasm.ts and its users) must leave every module's bytes as they were:
//   WASM_HASHES_FILE=/abs/old.txt NODE_OPTIONS=--import=/abs/tools/wasm-module-hashes.mjs node --test <old dist tests>
//   WASM_HASHES_FILE=/abs/new.txt NODE_OPTIONS=--import=/abs/tools/wasm-module-hashes.mjs node --test <new dist tests>
//   sort -u old.txt | diff - <(sort -u new.txt)
// With $WASM_MODULES_DIR set, each module's bytes are also written there as <sha256>.wasm (to read with wasm2wat).
// Not shipped: a development tool only.
import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = process.env.WASM_HASHES_FILE;
if (!file) throw new Error('set WASM_HASHES_FILE to the file that collects the module hashes');

/** The bytes of a BufferSource (an ArrayBuffer or a view), or undefined for anything else (a Module, a Response). */
function bytesOf(source) {
  if (source instanceof ArrayBuffer || source instanceof SharedArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return undefined;
}

function record(source) {
  const bytes = bytesOf(source);
  if (!bytes) return;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  appendFileSync(file, `${sha256} ${bytes.length}\n`);
  if (process.env.WASM_MODULES_DIR) writeFileSync(join(process.env.WASM_MODULES_DIR, `${sha256}.wasm`), bytes);
}

const { Module, compile, instantiate } = WebAssembly;
WebAssembly.Module = new Proxy(Module, {
  construct(target, args, newTarget) {
    record(args[0]);
    return Reflect.construct(target, args, newTarget);
  },
});
WebAssembly.compile = (source, ...rest) => {
  record(source);
  return compile(source, ...rest);
};
WebAssembly.instantiate = (source, ...rest) => {
  record(source);
  return instantiate(source, ...rest);
};
