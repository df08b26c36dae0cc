// Redis connections for the shard queue: one address form (redis://HOST:PORT[/DB]), reconnecting forever,
// so a Redis restart pauses the coordinator and the workers instead of failing them.
import type { Redis } from 'ioredis';
import { ioredis } from '../util/native.js';
import { RobustartError } from '../errors.js';

/** The BullMQ queue every evaluation shard goes through. */
export const SHARD_QUEUE = 'robustart-shards';

export function parseQueueUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RobustartError(`queue address '${url}' is not a URL; give redis://HOST:PORT`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RobustartError(`queue address '${url}' must start with redis:// (or rediss:// for TLS)`);
  }
  if (!parsed.hostname) throw new RobustartError(`queue address '${url}' names no host; give redis://HOST:PORT`);
  return parsed;
}

/**
 * A connection that retries every command until Redis answers (BullMQ requires maxRetriesPerRequest: null
 * for workers); `lazyConnect` so the first `ping` can report an unreachable server instead of hanging.
 */
export function openRedis(url: string): Redis {
  parseQueueUrl(url);
  const redis = new ioredis.Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  });
  // Connection errors are retried; without a listener ioredis would print each one.
  redis.on('error', () => undefined);
  return redis;
}

/** Connects and pings, failing clearly when nothing answers at the address within `timeoutMs`. */
export async function connectRedis(url: string, timeoutMs = 10_000): Promise<Redis> {
  const redis = openRedis(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new RobustartError(`no Redis answered at ${url} within ${timeoutMs / 1000} s; start redis-server there or fix the address`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    throw err instanceof RobustartError ? err : new RobustartError(`cannot reach Redis at ${url} (${(err as Error).message}); start redis-server there or fix the address`);
  } finally {
    clearTimeout(timer);
  }
  return redis;
}
