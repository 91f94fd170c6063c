import { ProgressBar } from '@hotplug/runtime';
import { planShards } from '../collection';
import { BullmqRunner } from './bullmq';
import { JobCheckpoint } from './checkpoint';
import { encodeShard, ShardContext, type EncodeJob } from './encode-shard';
import { InProcessRunner, type ShardResult, type ShardRunner } from './runner';

export interface ScaleOptions {
  /** Redis URL: shards go to BullMQ workers; without it they run in this process. */
  redis?: string;
  queue: string;
  /** Worker processes to start here (with redis). */
  workers: number;
  /** argv of one worker process (tests run the CLI from source). */
  workerCommand?: string[];
  shardSize: number;
}

export interface JobSummary {
  /** Items of the collection. */
  total: number;
  /** Items written by this run (the rest were resumed). */
  items: number;
  shards: number;
  /** Shards skipped because a checkpoint of the same configuration had them written. */
  resumedShards: number;
  seconds: number;
  itemsPerSecond: number;
  retries: number;
  /** Items written per process. */
  byProcess: Record<string, number>;
  runner: string;
}

/**
 * Runs an encode job in shards with a checkpoint (same configuration: resumes; finished shards
 * are skipped) and a progress bar with rate and ETA. `ctx` is this process's model cache.
 */
export async function runEncodeJob(
  name: string,
  job: EncodeJob,
  jobsDir: string,
  scale: ScaleOptions,
  options: { restart?: boolean; restartFlag?: string; ctx?: ShardContext; log?: (line: string) => void; label?: string } = {},
): Promise<JobSummary> {
  const log = options.log ?? ((l: string) => console.error(l));
  const ctx = options.ctx ?? new ShardContext();
  const size = ctx.collection(job.collection).size;
  const shards = planShards(size, scale.shardSize);
  const checkpoint = JobCheckpoint.open(jobsDir, name, { job, shardSize: scale.shardSize }, shards.length, options.restart ?? false, options.restartFlag);
  const done = checkpoint.done;
  const todo = shards.filter((s) => !done.has(s.shard));
  const doneItems = shards.filter((s) => done.has(s.shard)).reduce((n, s) => n + s.end - s.start, 0);
  if (done.size) log(`${name}: resuming, ${done.size}/${shards.length} shards already written`);
  const runner: ShardRunner<EncodeJob> = scale.redis
    ? new BullmqRunner<EncodeJob>({
        redis: scale.redis,
        queue: scale.queue,
        runKey: checkpoint.runKey,
        spawnWorkers: scale.workers,
        ...(scale.workerCommand ? { workerCommand: scale.workerCommand } : {}),
        log,
      })
    : new InProcessRunner<EncodeJob>((j, s) => encodeShard(ctx, j, s));
  const bar = new ProgressBar({ total: size, start: doneItems, label: options.label ?? name, unit: 'item' });
  const byProcess: Record<string, number> = {};
  let retries = 0;
  const started = performance.now();
  try {
    await runner.run(job, todo, (r: ShardResult) => {
      checkpoint.markDone(r.shard);
      byProcess[r.pid] = (byProcess[r.pid] ?? 0) + r.items;
      retries += r.retries;
      bar.tick(r.items);
    });
  } finally {
    bar.finish();
    await runner.close();
    if (!options.ctx) await ctx.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const items = size - doneItems;
  return {
    total: size,
    items,
    shards: todo.length,
    resumedShards: done.size,
    seconds,
    itemsPerSecond: items / seconds,
    retries,
    byProcess,
    runner: runner.name,
  };
}
