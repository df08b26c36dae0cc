// Start-up cache of the gradient engine: shape-discovery results (one forward run per probe batch), built
// backward graphs and the classifiers' forward graphs (encoded ONNX, ready for a session) on disk, keyed by the model's content hash, what was
// built from it (loss head, differentiated sources, execution provider) and the code that builds them
// (robustart's version and a hash of the graph-building modules, so a changed rule never meets an old graph).
// A hit gives byte-for-byte the graph a build would give, so gradients are identical with or without it.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { nodeCrypto } from '../util/native.js';
import { ortVersion, version } from '../version.js';
import { DiskCache, cacheKey, userCacheDir } from '../util/disk-cache.js';
import { MODULES_ROOT, MODULE_EXTENSION } from '../util/paths.js';
import type { ShapeMap, ValueShape } from '../onnx/shapes.js';

export interface GraphCacheOptions {
  /**
   * Directory of the start-up cache (shape-discovery results and backward graphs), or false for none. Default: the
   * ROBUSTART_GRAPH_CACHE environment variable ('off' for none), else $XDG_CACHE_HOME/robustart/graphs
   * (~/.cache/robustart/graphs).
   */
  readonly graphCache?: string | false;
}

/** The cache these options name, or undefined when caching is off. */
export function graphCacheFor(options: GraphCacheOptions = {}): GraphCache | undefined {
  const env = process.env.ROBUSTART_GRAPH_CACHE;
  const dir = options.graphCache ?? (env === 'off' ? false : env || userCacheDir('graphs'));
  return dir === false ? undefined : new GraphCache(dir);
}

/** Hex SHA-256 of a model's bytes, computed once per byte array. */
const modelHashes = new WeakMap<Uint8Array, string>();
export function modelContentHash(bytes: Uint8Array): string {
  let hash = modelHashes.get(bytes);
  if (!hash) modelHashes.set(bytes, (hash = cacheKey(bytes)));
  return hash;
}

let fingerprint: string | undefined;
/** robustart's version and the source of the modules that build graphs and discover shapes (autodiff/, onnx/). */
function builderFingerprint(): string {
  if (fingerprint) return fingerprint;
  const root = MODULES_ROOT;
  const ext = MODULE_EXTENSION;
  const sources: (string | Uint8Array)[] = [version];
  for (const area of ['autodiff', 'onnx']) {
    const files = readdirSync(join(root, area), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`) && !f.endsWith(`.d${ext}`))
      .sort();
    for (const f of files) sources.push(f, readFileSync(join(root, area, f)));
  }
  return (fingerprint = cacheKey(...sources));
}

/** What a cached backward graph was built for, besides the model: the parts of a GradientRequest that are data. */
export interface GradientKey {
  readonly inputName: string;
  readonly logitsName: string;
  readonly loss: string;
  readonly input: boolean;
  readonly parameters: readonly string[];
  readonly extraOutputs: readonly string[];
  readonly executionProvider: string;
}

/** Names a cached backward graph's session is read by. */
export interface GradientGraphNames {
  readonly inputName: string;
  readonly logitsName: string;
  readonly lossName: string;
  readonly gradients: [source: string, output: string][];
}

/** A stored backward graph: as built, or as ORT optimised it for this ORT build and CPU (then run without optimising). */
export interface StoredGradientGraph {
  readonly names: GradientGraphNames;
  readonly model: Uint8Array;
  readonly optimized: boolean;
}

/** What a cached forward graph (the model pruned to its logits) was made for, besides the model. */
export interface ForwardKey {
  readonly inputName: string;
  readonly logitsName: string;
  readonly executionProvider: string;
}

/** A stored forward graph: as pruned, or as ORT optimised it for this ORT build and CPU. */
export interface StoredForwardGraph {
  readonly model: Uint8Array;
  readonly optimized: boolean;
}

/** A stored graph as handed to the cache: its model as bytes, or as the path of an ONNX file to copy in. */
type ToStore<T extends { model: Uint8Array }> = Omit<T, 'model'> & { readonly model: Uint8Array | string };

/** What an ORT-optimised graph depends on besides the graph: ORT's build and the CPU it chose kernels and layouts for. */
function runtimeFingerprint(): string {
  return `${ortVersion()} ${process.arch} ${cpus()[0]?.model ?? 'unknown cpu'}`;
}

export class GraphCache {
  private readonly disk: DiskCache;

  constructor(readonly dir: string) {
    this.disk = new DiskCache(dir);
  }

  private static shapesKey(modelHash: string): string {
    return cacheKey('shapes', builderFingerprint(), modelHash);
  }

  private static gradientKey(modelHash: string, key: GradientKey): string {
    return cacheKey('gradient', builderFingerprint(), runtimeFingerprint(), modelHash, JSON.stringify(key));
  }

  private static forwardKey(modelHash: string, key: ForwardKey): string {
    return cacheKey('forward', builderFingerprint(), runtimeFingerprint(), modelHash, JSON.stringify(key));
  }

  shapes(modelHash: string): ShapeMap | undefined {
    const entry = this.disk.get(GraphCache.shapesKey(modelHash));
    if (!entry) return undefined;
    try {
      const rows = JSON.parse(Buffer.from(entry.payload).toString('utf8')) as [string, ValueShape][];
      return new Map(rows);
    } catch {
      return undefined;
    }
  }

  putShapes(modelHash: string, shapes: ShapeMap): void {
    this.disk.put(GraphCache.shapesKey(modelHash), { kind: 'shapes' }, Buffer.from(JSON.stringify([...shapes])));
  }

  gradientGraph(modelHash: string, key: GradientKey): StoredGradientGraph | undefined {
    const entry = this.disk.get(GraphCache.gradientKey(modelHash, key));
    const meta = entry?.meta as { names?: GradientGraphNames; optimized?: boolean } | undefined;
    if (!entry || !meta?.names || !Array.isArray(meta.names.gradients)) return undefined;
    return { names: meta.names, model: entry.payload, optimized: meta.optimized === true };
  }

  /** Stores a backward graph; its model as bytes, or as the path of an ONNX file (copied in chunks, never read whole). */
  putGradientGraph(modelHash: string, key: GradientKey, stored: ToStore<StoredGradientGraph>): void {
    this.putModel(GraphCache.gradientKey(modelHash, key), { kind: 'gradient', names: stored.names, optimized: stored.optimized }, stored.model);
  }

  forwardGraph(modelHash: string, key: ForwardKey): StoredForwardGraph | undefined {
    const entry = this.disk.get(GraphCache.forwardKey(modelHash, key));
    return entry ? { model: entry.payload, optimized: (entry.meta as { optimized?: boolean } | undefined)?.optimized === true } : undefined;
  }

  /** Stores a forward graph; its model as bytes, or as the path of an ONNX file. */
  putForwardGraph(modelHash: string, key: ForwardKey, stored: ToStore<StoredForwardGraph>): void {
    this.putModel(GraphCache.forwardKey(modelHash, key), { kind: 'forward', optimized: stored.optimized }, stored.model);
  }

  private putModel(key: string, meta: unknown, model: Uint8Array | string): void {
    if (typeof model === 'string') this.disk.putFile(key, meta, model);
    else this.disk.put(key, meta, model);
  }

  /** A fresh path in the cache directory for a build's scratch files (the caller removes it), or undefined when the directory cannot be made. */
  scratchPath(): string | undefined {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch {
      return undefined;
    }
    return join(this.dir, `ort-${process.pid}-${nodeCrypto.randomBytes(4).toString('hex')}.tmp`);
  }
}
