// `npm run bench -- queue`: the shard queue's costs on this machine, as ratios against a baseline measured
// in the same run. (1) records/s the coordinator ingests (fetch a finished shard's records from Redis, parse,
// write in one transaction); (2) a shard's queue round trip against its compute time; (3) throughput of a
// queued run on 1 and 2 worker processes against the same run in-process. The bundled fashion-cnn on the
// demo data keeps it short; the figures feed the projection in DEVELOPERS.md.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runEvaluation } from '../eval/run.js';
import { ResultStore, type SampleRecord } from '../store/store.js';
import { packagePath } from '../util/paths.js';
import { tempDir } from '../testing/fixtures.js';
import { startRedis } from '../testing/redis.js';
import { WorkerProcess } from '../testing/worker-process.js';
import { enqueueEvaluation } from '../queue/coordinator.js';
import { RunShards } from '../queue/stored-shards.js';
import { packRecords, unpackRecords, type PackedRecords } from '../queue/payload.js';
import { flag } from './_timing.js';

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * The coordinator's write path for finished shards: read the worker's answer from Redis, parse, unpack, store the
 * records and the shard's row in one transaction, delete. `packed`: the columnar payload workers send; otherwise
 * a plain list of records (what they sent before), for the ratio.
 */
async function ingestRate(url: string, shards: number, perShard: number, packed: boolean) {
  const store = new ResultStore(join(tempDir('robustart-bench-queue-'), 'ingest.db'));
  store.putDataset({ fingerprint: 'f', kind: 'csv', root: '/', numSamples: 0, classes: [] });
  store.openRun({ id: 'r', suite: 'clean', modelName: 'm', modelSha256: 's', datasetFingerprint: 'f', config: {}, seed: 0, versions: {} });
  const table = new RunShards(store);
  const redis = new Redis(url);
  const noise = 'gaussian_noise/3';
  const worker = { host: 'gpu-node-17', pid: 4242, device: 'cuda' };
  const record = (i: number): SampleRecord => ({ noise, sampleId: `n01440764/ILSVRC2012_val_${String(i).padStart(8, '0')}.JPEG`, label: i % 1000, status: 'ok', top5: [i % 1000, 1, 2, 3, 4], confidence: 0.8123456789, trueProbability: 0.4123456789 });
  const ids = (s: number) => Array.from({ length: perShard }, (_, i) => record(s * perShard + i).sampleId);
  let bytes = 0;
  for (let s = 0; s < shards; s++) {
    const records = Array.from({ length: perShard }, (_, i) => record(s * perShard + i));
    const json = JSON.stringify({ records: packed ? packRecords(ids(s), records) : records, computeSeconds: 60, worker });
    bytes += json.length;
    await redis.set(`shard:${s}`, json);
  }
  const shardIds = Array.from({ length: shards }, (_, s) => ids(s)); // the coordinator holds them in the shard's data
  const start = process.hrtime.bigint();
  for (let s = 0; s < shards; s++) {
    const answer = JSON.parse((await redis.get(`shard:${s}`))!) as { records: PackedRecords | SampleRecord[] };
    const records = packed ? unpackRecords(noise, shardIds[s], answer.records as PackedRecords) : (answer.records as SampleRecord[]);
    if (typeof records === 'string') throw new Error(records);
    table.add('r', { noise, start: s * perShard, end: (s + 1) * perShard, worker, computeSeconds: 60 }, records);
    await redis.del(`shard:${s}`);
  }
  const t = seconds(start);
  redis.disconnect();
  store.close();
  return { recordsPerSecond: (shards * perShard) / t, bytesPerRecord: bytes / (shards * perShard) };
}

export async function run(args: string[]): Promise<void> {
  const limit = flag(args, 'limit', 768);
  const batchSize = flag(args, 'batch-size', 32);
  const shardSize = flag(args, 'shard-size', 128);
  const common = { model: 'fashion-cnn', data: packagePath('demo/data/fashion-mnist'), suite: 'natural', suiteOptions: { corruptions: 'gaussian_noise,elastic_transform', severities: '3' }, limit, batchSize };
  const records = 3 * limit;
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  try {
    const plain = await ingestRate(redis.url, 20, 1000, false);
    const ingest = await ingestRate(redis.url, 20, 1000, true);
    console.log(
      `coordinator ingest: ${ingest.recordsPerSecond.toFixed(0)} records/s (shards of 1000 records, ${ingest.bytesPerRecord.toFixed(0)} bytes per record in Redis); ` +
        `a plain record list: ${plain.recordsPerSecond.toFixed(0)} records/s, ${plain.bytesPerRecord.toFixed(0)} bytes per record (packed ${(ingest.recordsPerSecond / plain.recordsPerSecond).toFixed(2)}x the rate, ${(ingest.bytesPerRecord / plain.bytesPerRecord).toFixed(2)}x the bytes)`,
    );

    const inProcessStart = process.hrtime.bigint();
    await runEvaluation({ ...common, store: join(tempDir('robustart-bench-queue-'), 'in-process.db'), workers: 0, threads: 1 });
    const inProcess = seconds(inProcessStart);
    console.log(`in-process: ${(records / inProcess).toFixed(1)} records/s (${records} records, ${inProcess.toFixed(2)} s, 1 ORT thread, no preprocessing workers)`);

    const queued = async (n: number, size: number) => {
      while (workers.length < n) workers.push(await WorkerProcess.start(redis.url));
      const before = workers.map((w) => w.computeSeconds.length);
      const start = process.hrtime.bigint();
      await enqueueEvaluation({ ...common, store: join(tempDir('robustart-bench-queue-'), 'queued.db'), queue: { url: redis.url, shardSize: size, pollMs: 50 } });
      const wall = seconds(start);
      const compute = workers.flatMap((w, i) => w.computeSeconds.slice(before[i]));
      return { wall, shards: compute.length, compute: compute.reduce((a, b) => a + b, 0) };
    };
    // Warm-up: each worker fetches and caches the model and lists the dataset once.
    await queued(1, limit);
    const one = await queued(1, shardSize);
    console.log(`queue, 1 worker: ${(records / one.wall).toFixed(1)} records/s, ${(inProcess / one.wall).toFixed(2)}x in-process (${one.shards} shards of ${shardSize})`);
    // Each run also pays a fixed cost (the coordinator's model load, queue set-up, first poll); two shard sizes
    // over the same work separate it from the per-shard round trip.
    const small = await queued(1, batchSize);
    const perShard = (small.wall - one.wall - (small.compute - one.compute)) / (small.shards - one.shards);
    const fixed = one.wall - one.compute - perShard * one.shards;
    console.log(`shard round trip (queue, cache hits, ingest): ${(perShard * 1000).toFixed(1)} ms per shard against ${((one.compute / one.shards) * 1000).toFixed(0)} ms of compute for ${shardSize} samples (${(perShard / (one.compute / one.shards)).toFixed(3)}x) and ${((small.compute / small.shards) * 1000).toFixed(0)} ms for ${batchSize}; fixed cost per run ${fixed.toFixed(2)} s`);
    await queued(2, limit); // warm the second worker
    const two = await queued(2, shardSize);
    console.log(`queue, 2 workers: ${(records / two.wall).toFixed(1)} records/s, ${(inProcess / two.wall).toFixed(2)}x in-process, ${(one.wall / two.wall).toFixed(2)}x 1 worker`);
    console.log('(timings on a shared machine: read the ratios, not the absolute figures)');
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
}
