// Heavy and optional packages, loaded on first use rather than at import: importing robustart (or one of its
// subpaths) then costs only what the caller uses. Each export stands in for the package's default export.
import { createRequire } from 'node:module';
import type * as NodeCrypto from 'node:crypto';
import type * as NodeChildProcess from 'node:child_process';
import type * as NodeWorkerThreads from 'node:worker_threads';
import type * as NodeZlib from 'node:zlib';
import type SharpModule from 'sharp';
import type OrtModule from 'onnxruntime-node';
import type DatabaseModule from 'better-sqlite3';
import type { z as Zod } from 'zod';
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';
import type FastifyModule from 'fastify';
import type * as Yaml from 'yaml';
import { RobustartError } from '../errors.js';

const require = createRequire(import.meta.url);

/** Packages robustart runs without; asking for one that is absent is a one-line error naming it. */
const OPTIONAL: Record<string, string> = {
  '@napi-rs/canvas': 'the skia decoder and the corruption contact sheet',
  '@jsquash/jpeg': 'the mozjpeg-wasm decoder',
  'jpeg-js': 'the jpegjs decoder',
};

/** Loads a package now (synchronously, through require), with a clear error when an optional one is absent. */
export function requirePackage<T>(name: string): T {
  try {
    return require(name) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`)) {
      const use = OPTIONAL[name];
      throw new RobustartError(use ? `${use} ${use.includes(' and ') ? 'need' : 'needs'} the optional package ${name}, which is not installed; install it with npm install ${name}` : `robustart needs the package ${name}, which is not installed; reinstall robustart`);
    }
    throw err;
  }
}

/** Checks that a package is installed without loading it (for ES-module-only packages loaded later by import()). */
export function requireInstalled(name: string): void {
  try {
    require.resolve(`${name}/package.json`);
  } catch {
    requirePackage(name); // throws the one-line error (or loads it, if only its package.json is hidden)
  }
}

/** Imports an ES-module-only package on first use, with the same error as requirePackage when it is absent. */
export async function importPackage<T>(name: string, specifier = name): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes(name)) requirePackage(name);
    throw err;
  }
}

/** A stand-in for a package's default export that loads the package the first time it is called, constructed or read. */
function lazyDefault<T extends object>(name: string): T {
  let loaded: T | undefined;
  const load = (): T => (loaded ??= requirePackage<T>(name));
  // The target must be a function for the apply and construct traps to be allowed.
  return new Proxy(function lazy() {} as unknown as T, {
    apply: (_target, thisArg, args) => Reflect.apply(load() as unknown as (...a: unknown[]) => unknown, thisArg, args),
    construct: (_target, args) => Reflect.construct(load() as unknown as new (...a: unknown[]) => object, args),
    get: (_target, property) => Reflect.get(load(), property),
    has: (_target, property) => Reflect.has(load(), property),
  });
}

/** A stand-in for an object (a namespace, an enum) computed on first use: property reads and enumeration load it. */
export function lazyValue<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  const get = (): T => (loaded ??= load());
  return new Proxy({} as T, {
    get: (_target, property) => Reflect.get(get(), property),
    has: (_target, property) => Reflect.has(get(), property),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), property);
      // The proxy's own (empty) target holds none of these: they may only be reported as configurable.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}

export const sharp: typeof SharpModule = lazyDefault<typeof SharpModule>('sharp');
export const ort: typeof OrtModule = lazyDefault<typeof OrtModule>('onnxruntime-node');
export const Database: typeof DatabaseModule = lazyDefault<typeof DatabaseModule>('better-sqlite3');

/** zod's `z`, loaded on first use; schemas built at module level go inside lazyValue so importing costs nothing. */
export const z: typeof Zod = lazyValue(() => requirePackage<{ z: typeof Zod }>('zod').z);
export type { Zod };

// The scale-out queue, the dashboard server and YAML configs: loaded when a queued run, a dashboard or a
// config file asks for them, not when robustart (whose root re-exports those areas) is imported.
export const bullmq: typeof BullMQ = lazyValue(() => requirePackage<typeof BullMQ>('bullmq'));
export const ioredis: typeof IORedis = lazyValue(() => requirePackage<typeof IORedis>('ioredis'));
export const fastify: typeof FastifyModule = lazyDefault<typeof FastifyModule>('fastify');
export const yaml: typeof Yaml = lazyValue(() => requirePackage<typeof Yaml>('yaml'));

// Node's own crypto, child_process, worker_threads and zlib load on first use too: together they add about 4 MiB
// of RSS to a process, and importing robustart only needs them once it hashes, decodes, spawns or starts a worker.
export const nodeCrypto: typeof NodeCrypto = lazyValue(() => require('node:crypto') as typeof NodeCrypto);
export const childProcess: typeof NodeChildProcess = lazyValue(() => require('node:child_process') as typeof NodeChildProcess);
export const workerThreads: typeof NodeWorkerThreads = lazyValue(() => require('node:worker_threads') as typeof NodeWorkerThreads);
export const zlib: typeof NodeZlib = lazyValue(() => require('node:zlib') as typeof NodeZlib);
