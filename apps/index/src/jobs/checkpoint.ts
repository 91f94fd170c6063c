import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256, writeJsonAtomic } from '@hotplug/runtime';
import { UsageError } from '../errors';

/** Progress of one sharded job on disk: which shards are written. Resumed only under the same configuration. */
export interface Checkpoint {
  format: 'hotplug-index-job';
  version: 1;
  /** Hash of the configuration (collection, encoder, table, shard size): a different one never resumes this. */
  key: string;
  config: unknown;
  /** Random per started run: queue job ids include it, so a restarted run never counts an earlier run's finished shards. */
  run: string;
  shards: number;
  done: number[];
  finished: boolean;
}

/** Stable JSON (sorted keys) of a configuration and its hash. */
export function configKey(config: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(stable)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
          )
        : v;
  return sha256(JSON.stringify(stable(config))).slice(0, 16);
}

export class JobCheckpoint {
  private state: Checkpoint;

  private constructor(
    readonly path: string,
    state: Checkpoint,
  ) {
    this.state = state;
  }

  /**
   * Opens the checkpoint of job `name` in `dir`. Same configuration: resumes (its done shards
   * are skipped). Different configuration: refused unless `restart`, which starts over.
   */
  static open(dir: string, name: string, config: unknown, shards: number, restart: boolean, restartFlag = '--restart'): JobCheckpoint {
    const path = join(dir, `${name}.json`);
    const key = configKey(config);
    if (existsSync(path) && !restart) {
      const prev = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
      if (prev.key !== key)
        throw new UsageError(
          `${path} records a run of "${name}" with a different configuration (key ${prev.key}, now ${key}); rerun with the same options to resume it, or pass ${restartFlag} to start over`,
        );
      return new JobCheckpoint(path, prev);
    }
    const cp = new JobCheckpoint(path, {
      format: 'hotplug-index-job',
      version: 1,
      key,
      config,
      run: randomBytes(6).toString('hex'),
      shards,
      done: [],
      finished: false,
    });
    cp.save();
    return cp;
  }

  /** The stored state of job `name`, or null (read-only: for cutover's completeness check). */
  static peek(dir: string, name: string): Checkpoint | null {
    const path = join(dir, `${name}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Checkpoint) : null;
  }

  get key(): string {
    return this.state.key;
  }
  /** Identifies this run (configuration + start) in a queue. */
  get runKey(): string {
    return `${this.state.key}-${this.state.run}`;
  }
  get done(): ReadonlySet<number> {
    return new Set(this.state.done);
  }
  get finished(): boolean {
    return this.state.finished;
  }

  markDone(shard: number): void {
    if (!this.state.done.includes(shard)) this.state.done.push(shard);
    this.state.finished = this.state.done.length === this.state.shards;
    this.save();
  }

  private save(): void {
    writeJsonAtomic(this.path, this.state);
  }
}
