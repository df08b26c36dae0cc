// Models travel through Redis once per content hash: the coordinator publishes the ONNX bytes and the
// resolved metadata; a worker fetches them the first time a shard names that hash and keeps them on disk.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../util/native.js';
import type { Redis } from 'ioredis';
import type { LoadedModel } from '../model/load.js';
import { sidecarPath } from '../model/metadata.js';
import { RobustartError } from '../errors.js';

const bytesKey = (sha256: string) => `robustart:model:${sha256}`;
const metadataKey = (sha256: string) => `robustart:model-metadata:${sha256}`;

/** Publishes a model unless Redis already holds it (one upload per hash, however many runs use it). */
export async function publishModel(redis: Redis, model: LoadedModel): Promise<void> {
  if ((await redis.exists(bytesKey(model.sha256), metadataKey(model.sha256))) === 2) return;
  const bytes = readFileSync(model.path);
  const sha256 = nodeCrypto.createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== model.sha256) throw new RobustartError(`model file ${model.path} changed since it was loaded; rerun the evaluation`);
  await redis.set(bytesKey(sha256), bytes);
  await redis.set(metadataKey(sha256), JSON.stringify(model.metadata));
}

export function defaultModelCacheDir(): string {
  return process.env.ROBUSTART_MODEL_CACHE ?? join(homedir(), '.cache', 'robustart', 'models');
}

/**
 * The local path of a model by hash, fetched from Redis on first use. The metadata goes in a sidecar next
 * to the file, so loading it resolves the same input size, crop and normalisation as the coordinator did.
 */
export async function cachedModelPath(redis: Redis, sha256: string, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, sha256);
  const path = join(dir, 'model.onnx');
  if (existsSync(path) && existsSync(sidecarPath(path))) return path;
  const [bytes, metadata] = await Promise.all([redis.getBuffer(bytesKey(sha256)), redis.get(metadataKey(sha256))]);
  if (!bytes || metadata === null) throw new RobustartError(`model ${sha256.slice(0, 12)} is not in Redis; the coordinator publishes it when it starts, so rerun the coordinator`);
  const actual = nodeCrypto.createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new RobustartError(`model bytes in Redis hash to ${actual.slice(0, 12)}, not ${sha256.slice(0, 12)}; rerun the coordinator to publish it again`);
  mkdirSync(dir, { recursive: true });
  // Write under temporary names, then rename: a concurrent worker never reads half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(`${tmp}.json`, metadata);
  renameSync(`${tmp}.json`, sidecarPath(path));
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return path;
}
