import { resolve } from 'node:path';
import { LanceGallery } from '@hotplug/index';
import { initBackend } from '@hotplug/kernels';
import { parseAugment, parseSource, type CollectionSpec } from '../collection';
import { UsageError } from '../errors';
import type { ScaleOptions } from '../jobs/run-job';
import { readLive } from '../live';
import { defaultModelDirs, type ModelDirs } from '../systems';
import { layout } from '../tables';

/** Options every command takes. */
export interface CommonOptions {
  out: string;
  old?: string;
  new?: string;
  adapters?: string;
  backend?: string;
}

export interface CollectionOptions {
  source: string[];
  augment?: string[];
}

export interface ScaleCliOptions {
  redis?: string;
  queue: string;
  workers: string;
  shardSize: string;
}

export function int(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function modelDirs(o: CommonOptions): ModelDirs {
  const d = defaultModelDirs();
  return { old: o.old ? resolve(o.old) : d.old, new: o.new ? resolve(o.new) : d.new, adapters: o.adapters ? resolve(o.adapters) : d.adapters };
}

export function collectionSpec(o: CollectionOptions): CollectionSpec {
  if (!o.source?.length) throw new UsageError('give the items with --source dataset:split[:start[:count]] (repeatable), e.g. --source fashion-mnist:test');
  return { sources: o.source.map(parseSource), ...(o.augment ? { augment: parseAugment(o.augment.join(',')) } : {}) };
}

/** The worker argv of this very program (what `--workers N` starts). Tests override it to run from source. */
let workerCommand: string[] | undefined;
export function setWorkerCommand(argv: string[] | undefined): void {
  workerCommand = argv;
}

/** argv that starts a worker of this program. */
export function currentWorkerCommand(): string[] {
  return workerCommand ?? [process.execPath, ...process.execArgv, process.argv[1]!, 'worker'];
}

export function scaleOptions(o: ScaleCliOptions): ScaleOptions {
  const workers = int(o.workers, '--workers', 0);
  if (workers > 0 && !o.redis) throw new UsageError('--workers starts BullMQ workers and needs --redis URL (without --redis, shards run in this process)');
  return {
    ...(o.redis ? { redis: o.redis } : {}),
    queue: o.queue,
    workers,
    shardSize: int(o.shardSize, '--shard-size'),
    ...(workerCommand ? { workerCommand } : {}),
  };
}

export async function backend(o: CommonOptions): Promise<void> {
  await initBackend((o.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
}

/** The table a command works on: --table, else the live one. */
export function tableOf(o: CommonOptions & { table?: string }): string {
  if (o.table) return o.table;
  const live = readLive(o.out);
  if (!live) throw new UsageError(`no live table in ${o.out} (no live.json); build one first (hotplug-index build --source ...) or pass --table NAME`);
  return live.table;
}

export async function requireTable(out: string, table: string): Promise<void> {
  const tables = await LanceGallery.tables(layout(out).db);
  if (!tables.includes(table))
    throw new UsageError(`no table "${table}" in ${layout(out).db}${tables.length ? ` (tables: ${tables.join(', ')})` : ''}; build it first or check --out`);
}
