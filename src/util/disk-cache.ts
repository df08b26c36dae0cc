// A directory of cache entries keyed by content hashes: what is expensive to rebuild and cheap to read back
// (shape-discovery results, built gradient graphs). An entry is written to a temporary file and renamed into
// place, so concurrent writers of one key leave one whole entry and readers never see half of one; an entry
// whose checksum or header does not match is deleted and reported as absent, so it is rebuilt, never trusted.
// The directory is capped in size: the least recently used entries go first.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from './native.js';

/** Entry format; a change makes every older entry a miss. */
const FORMAT = 1;

/** Default size cap of a cache directory: a ViT-B/16 gradient graph alone is about 350 MB. */
const DEFAULT_CACHE_BYTES = 4 * 2 ** 30;

/** Temporary files older than this are a crashed writer's and are removed. */
const STALE_TEMP_MS = 60 * 60 * 1000;

interface Header {
  readonly format: number;
  readonly key: string;
  readonly meta: unknown;
  readonly bytes: number;
  readonly sha256: string;
}

export interface CacheEntry {
  readonly meta: unknown;
  readonly payload: Uint8Array;
}

/**
 * robustart's cache directory for `kind` (e.g. 'graphs'): $XDG_CACHE_HOME/robustart/<kind>, else
 * ~/.cache/robustart/<kind>.
 */
export function userCacheDir(kind: string): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'robustart', kind);
}

/** Hex SHA-256 of strings and byte arrays, fed in order with separators (a cache key). */
export function cacheKey(...parts: (string | Uint8Array)[]): string {
  const hash = nodeCrypto.createHash('sha256');
  for (const part of parts) {
    hash.update(typeof part === 'string' ? `${part.length}:${part}` : `${part.length}#`);
    if (typeof part !== 'string') hash.update(part);
  }
  return hash.digest('hex');
}

export class DiskCache {
  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  private path(key: string): string {
    if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`cache key '${key}' is not a hex digest`);
    return join(this.dir, key);
  }

  /** The entry stored under `key`, or undefined when there is none or it does not check out (it is then deleted). */
  get(key: string): CacheEntry | undefined {
    const file = this.path(key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return undefined;
    }
    const entry = parseEntry(bytes, key);
    if (!entry) {
      removeQuietly(file);
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now); // recency for the size cap
    } catch {
      // a concurrent eviction removed it: the entry read is still whole
    }
    return entry;
  }

  /** Stores `payload` (and `meta`, plain JSON) under `key`. Returns false when the directory cannot be written: a cache is never a reason to fail. */
  put(key: string, meta: unknown, payload: Uint8Array): boolean {
    return this.write(key, () => ({ meta, bytes: payload.length, sha256: nodeCrypto.createHash('sha256').update(payload).digest('hex') }), (fd) => writeAll(fd, payload));
  }

  /** put() with the payload read from the file at `path` in chunks: a payload of hundreds of MB is never held whole. */
  putFile(key: string, meta: unknown, path: string): boolean {
    const describe = () => {
      const hash = nodeCrypto.createHash('sha256');
      let bytes = 0;
      forEachChunk(path, (chunk) => (hash.update(chunk), (bytes += chunk.length)));
      return { meta, bytes, sha256: hash.digest('hex') };
    };
    return this.write(key, describe, (fd) => forEachChunk(path, (chunk) => writeAll(fd, chunk)));
  }

  private write(key: string, describe: () => Omit<Header, 'format' | 'key'>, writePayload: (fd: number) => void): boolean {
    const file = this.path(key);
    const temp = `${file}.${process.pid}.${nodeCrypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      const header: Header = { format: FORMAT, key, ...describe() };
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(temp, 'w');
      try {
        writeAll(fd, Buffer.from(`${JSON.stringify(header)}\n`));
        writePayload(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
    } catch {
      removeQuietly(temp);
      return false;
    }
    this.evict(key);
    return true;
  }

  /** Removes least recently used entries until the directory is within maxBytes (never `keep`), and stale temporary files. */
  private evict(keep: string): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const now = Date.now();
    const entries: { file: string; size: number; used: number }[] = [];
    let total = 0;
    for (const name of names) {
      const file = join(this.dir, name);
      let stat;
      try {
        stat = statSync(file);
      } catch {
        continue;
      }
      if (name.endsWith('.tmp')) {
        if (now - stat.mtimeMs > STALE_TEMP_MS) removeQuietly(file);
        continue;
      }
      total += stat.size;
      if (name !== keep) entries.push({ file, size: stat.size, used: stat.mtimeMs });
    }
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      removeQuietly(e.file);
      total -= e.size;
    }
  }
}

function parseEntry(bytes: Buffer, key: string): CacheEntry | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  if (header?.format !== FORMAT || header.key !== key) return undefined;
  const payload = bytes.subarray(newline + 1);
  if (payload.length !== header.bytes || nodeCrypto.createHash('sha256').update(payload).digest('hex') !== header.sha256) return undefined;
  return { meta: header.meta, payload };
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

/** Calls `use` with the file's bytes in order, 4 MiB at a time (the chunk is reused: copy what must outlive the call). */
function forEachChunk(path: string, use: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(4 * 2 ** 20);
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) use(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}
