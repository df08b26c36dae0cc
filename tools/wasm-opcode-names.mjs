#!/usr/bin/env node
// Checks util/wasm.ts's opcode table against an independent disassembler: each entry of `op`, with zeroed
// immediates, in a function of its own, read back by wabt's wasm2wat (Debian package `wabt`) must be named by its
// key. Run after adding an instruction to the table (from the built dist/):
//   node tools/wasm-opcode-names.mjs   (exit 1 and the mismatches if any)
// Not shipped, and no test needs wabt.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { op, wasmFunction, wasmModule } from '../dist/util/wasm.js';

/** Zeroed immediates that make each instruction decodable: block type, label, local, constant, memarg, lane. */
function immediates(mnemonic) {
  if (mnemonic === 'block' || mnemonic === 'loop') return [0x40, ...op.end];
  if (mnemonic === 'br' || mnemonic === 'br_if' || mnemonic.startsWith('local.') || mnemonic === 'i32.const') return [0];
  if (mnemonic === 'f32.const') return Array(4).fill(0);
  if (mnemonic === 'f64.const') return Array(8).fill(0);
  if (mnemonic === 'v128.const' || mnemonic === 'i8x16.shuffle') return Array(16).fill(0);
  if (/load|store/.test(mnemonic)) return mnemonic.endsWith('_lane') ? [0, 0, 0] : [0, 0];
  return [];
}

// `end` closes every function body (wasmFunction), so the module decodes only if that entry is right.
const mnemonics = Object.keys(op).filter((k) => k !== 'end');
const functions = mnemonics.map((k) => wasmFunction([], [], [...op[k], ...immediates(k)]));
const bytes = wasmModule(Object.fromEntries(functions.map((f, i) => [`f${i}`, f])));
const dir = mkdtempSync(join(tmpdir(), 'wasm-opcodes-'));
let wat;
try {
  writeFileSync(join(dir, 'ops.wasm'), bytes);
  // --no-check: the bodies are single instructions with nothing on the stack, decoded but never validated.
  wat = execFileSync('wasm2wat', ['--no-check', '--enable-all', join(dir, 'ops.wasm')], { encoding: 'utf8' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const read = wat.split('\n  (func').slice(1).map((f) => f.split('\n')[1].trim().split(/[\s)]+/)[0]);
const wrong = mnemonics.filter((k, i) => read[i] !== k).map((k) => `${k} reads as ${read[mnemonics.indexOf(k)]}`);
process.stdout.write(`${mnemonics.length + 1} opcodes checked, ${wrong.length} misnamed${wrong.length ? `:\n${wrong.join('\n')}` : ''}\n`);
process.exitCode = wrong.length ? 1 : 0;
