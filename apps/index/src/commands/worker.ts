import { ShardContext, encodeShard, type EncodeJob } from '../jobs/encode-shard';
import { runWorker } from '../jobs/bullmq';
import { backend, int, type CommonOptions } from './common';

export interface WorkerCliOptions extends Pick<CommonOptions, 'backend'> {
  redis: string;
  queue: string;
  concurrency: string;
  lockMs: string;
}

/** A BullMQ worker process: takes encode shards from the queue until SIGTERM/SIGINT. */
export async function worker(o: WorkerCliOptions): Promise<void> {
  await backend({ out: '', ...o });
  const ctx = new ShardContext();
  try {
    await runWorker<EncodeJob>((job, shard) => encodeShard(ctx, job, shard), {
      redis: o.redis,
      queue: o.queue,
      concurrency: int(o.concurrency, '--concurrency'),
      lockMs: int(o.lockMs, '--lock-ms', 1000),
      log: (l) => console.log(l),
    });
  } finally {
    await ctx.dispose();
  }
}
