/** One contiguous range of items of a job. */
export interface Shard {
  shard: number;
  start: number;
  end: number;
}

/** What one processed shard reports back. */
export interface ShardResult {
  shard: number;
  items: number;
  inserted: number;
  updated: number;
  /** Commit conflicts with concurrent writers that the gallery retried. */
  retries: number;
  seconds: number;
  /** Process that did the work (tells, in the tests, which worker took a killed worker's shard). */
  pid: number;
}

/** Processes one shard of a job: JSON in, JSON out, so a worker process can run it from a queue. */
export type ShardHandler<J> = (job: J, shard: Shard) => Promise<ShardResult>;

/** Runs the shards of a job somewhere (this process, or workers over a queue), calling back per finished shard. */
export interface ShardRunner<J> {
  readonly name: string;
  run(job: J, shards: Shard[], onDone: (result: ShardResult) => void): Promise<void>;
  close(): Promise<void>;
}

/** Shards one after another in this process (no --redis). */
export class InProcessRunner<J> implements ShardRunner<J> {
  readonly name = 'in-process';
  constructor(private readonly handler: ShardHandler<J>) {}

  async run(job: J, shards: Shard[], onDone: (result: ShardResult) => void): Promise<void> {
    for (const shard of shards) onDone(await this.handler(job, shard));
  }

  async close(): Promise<void> {}
}
