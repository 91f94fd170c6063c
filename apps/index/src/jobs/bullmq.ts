import { spawn, type ChildProcess } from 'node:child_process';
import { Queue, Worker, type Job } from 'bullmq';
import { IncompleteRunError } from '../errors';
import { redisConnection } from './redis';
import type { Shard, ShardHandler, ShardResult, ShardRunner } from './runner';

/** The payload of one queued shard. */
export interface ShardJobData<J> {
  job: J;
  shard: Shard;
}

export interface BullmqRunnerOptions {
  redis: string;
  queue: string;
  /** Identifies this run's shards: job ids are `${runKey}-${shard}`, so a rerun of the same run re-adds nothing already done. */
  runKey: string;
  /** Worker processes to start here (0: workers run elsewhere, e.g. `hotplug-index worker` on other machines). */
  spawnWorkers: number;
  /** argv of one worker process (default: this program's `worker` command). */
  workerCommand?: string[];
  /** Attempts per shard before the run fails (default 5). */
  attempts?: number;
  /** Polling period of the coordinator (ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * Runs shards as BullMQ jobs over Redis. Exactly-once in the table comes from two facts: each
 * shard's write is an upsert keyed by item id (a shard written twice leaves each item once), and
 * a job whose worker died is found stalled (its lock lapses) and handed to another worker.
 */
export class BullmqRunner<J> implements ShardRunner<J> {
  readonly name = 'bullmq';
  private readonly queue: Queue<ShardJobData<J>, ShardResult>;
  private readonly workers: ChildProcess[] = [];

  constructor(private readonly options: BullmqRunnerOptions) {
    this.queue = new Queue(options.queue, { connection: redisConnection(options.redis) });
  }

  async run(job: J, shards: Shard[], onDone: (result: ShardResult) => void): Promise<void> {
    const { runKey, attempts = 5, pollMs = 200, log = () => {} } = this.options;
    await this.queue.waitUntilReady();
    const jobId = (s: Shard) => `${runKey}-${s.shard}`;
    await this.queue.addBulk(
      shards.map((shard) => ({
        name: 'shard',
        data: { job, shard },
        // Completed jobs are kept: re-adding a done shard's id is a no-op, which is what resume wants.
        opts: { jobId: jobId(shard), attempts, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
      })),
    );
    this.startWorkers(log);
    const pending = new Map(shards.map((s) => [jobId(s), s]));
    while (pending.size > 0) {
      for (const [id] of pending) {
        const state = await this.queue.getJobState(id);
        if (state === 'completed') {
          const j = (await this.queue.getJob(id)) as Job<ShardJobData<J>, ShardResult> | undefined;
          pending.delete(id);
          if (j?.returnvalue) onDone(j.returnvalue);
        } else if (state === 'failed') {
          const j = await this.queue.getJob(id);
          throw new IncompleteRunError(
            `shard ${id} failed after ${j?.attemptsMade ?? '?'} attempts: ${j?.failedReason ?? 'no reason recorded'}; fix the cause and rerun the same command (finished shards are kept)`,
          );
        } else if (state === 'unknown') {
          throw new IncompleteRunError(
            `shard ${id} is no longer in queue "${this.options.queue}" (was Redis flushed or restarted?); rerun the same command: the checkpoint and the upserts make that safe`,
          );
        }
      }
      if (pending.size > 0) {
        if (this.workers.length > 0 && this.workers.every((w) => w.exitCode !== null || w.signalCode !== null))
          throw new IncompleteRunError(`every worker process exited with ${pending.size} shard(s) left; see their output above`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  private startWorkers(log: (line: string) => void): void {
    const { spawnWorkers, workerCommand, redis, queue } = this.options;
    const [cmd, ...args] = workerCommand ?? [process.execPath, ...process.execArgv, process.argv[1]!, 'worker'];
    for (let i = this.workers.length; i < spawnWorkers; i++) {
      const child = spawn(cmd!, [...args, '--redis', redis, '--queue', queue], { stdio: ['ignore', 'inherit', 'inherit'] });
      log(`worker ${i + 1}/${spawnWorkers} started (pid ${child.pid})`);
      this.workers.push(child);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
    await this.queue.close();
  }
}

export interface WorkerOptions {
  redis: string;
  queue: string;
  concurrency?: number;
  /** How long a job's lock lives without renewal; a dead worker's job is retried after about this long (ms). */
  lockMs?: number;
  log?: (line: string) => void;
}

/**
 * A queue worker in this process: takes shard jobs until SIGTERM/SIGINT, then finishes the shard
 * in hand and exits. Shards of a killed worker are retried once their lock lapses (lockMs).
 */
export async function runWorker<J>(handler: ShardHandler<J>, options: WorkerOptions): Promise<void> {
  const { lockMs = 30_000, log = () => {} } = options;
  const worker = new Worker<ShardJobData<J>, ShardResult>(
    options.queue,
    async (job) => {
      log(`pid ${process.pid}: shard ${job.data.shard.shard} (${job.data.shard.start}..${job.data.shard.end}) started, attempt ${job.attemptsMade + 1}`);
      const result = await handler(job.data.job, job.data.shard);
      log(`pid ${process.pid}: shard ${job.data.shard.shard} done (${result.items} items, ${result.seconds.toFixed(2)} s)`);
      return result;
    },
    {
      connection: redisConnection(options.redis),
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      // A shard may be orphaned by more than one killed worker before it completes.
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, err) => log(`pid ${process.pid}: shard ${job?.data.shard.shard ?? '?'} failed: ${err.message}`));
  await worker.waitUntilReady();
  log(`pid ${process.pid}: worker ready on queue "${options.queue}"`);
  await new Promise<void>((resolve) => {
    const stop = () => void worker.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
