import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LanceGallery } from '@hotplug/index';
import type { CollectionSpec } from '../collection';
import { median } from '../evaluate';
import type { EncodeJob } from '../jobs/encode-shard';
import { runEncodeJob } from '../jobs/run-job';
import { ModelSet, type ModelDirs } from '../systems';

export interface IngestRow {
  workers: number;
  /** Median items/s from enqueueing the shards to the last one written (workers already started). */
  itemsPerSecond: number;
  runs: number[];
}

function startWorker(command: string[], redis: string, queue: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = command;
    const w = spawn(cmd!, [...args, '--redis', redis, '--queue', queue], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    w.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('worker ready')) resolve(w);
    });
    w.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
}

/** Ingest throughput (new + TaCA into a table) with 1 and 2 BullMQ worker processes, `runs` runs each. */
export async function ingestBench(
  dirs: ModelDirs,
  out: string,
  o: { redis: string; items: number; shardSize: number; runs: number; workerCommand: string[]; log: (l: string) => void },
): Promise<IngestRow[]> {
  const collection: CollectionSpec = { sources: [{ dataset: 'fashion-mnist', split: 'train', count: o.items }] };
  const encoder = { model: 'new' as const, adapter: 'taca-symmetric' };
  const space = new ModelSet(dirs).space({ model: 'old' });
  const db = join(out, 'db');
  const rows: IngestRow[] = [];
  for (const workers of [1, 2]) {
    const runs: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      const table = `ingest-bench-${workers}`;
      await (await LanceGallery.create(db, space, { table, mode: 'overwrite' })).close();
      const queue = `bench-ingest-${process.pid}-${workers}-${run}`;
      const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(o.workerCommand, o.redis, queue)));
      try {
        const job: EncodeJob = { collection, encoder, models: dirs, db, table, batchSize: 256 };
        rmSync(join(out, 'jobs', `${table}.json`), { force: true });
        const s = await runEncodeJob(
          table,
          job,
          join(out, 'jobs'),
          { redis: o.redis, queue, workers: 0, shardSize: o.shardSize },
          { restart: true, log: () => {} },
        );
        runs.push(s.itemsPerSecond);
        o.log(
          `ingest, ${workers} worker(s), run ${run + 1}/${o.runs}: ${s.items} items in ${s.seconds.toFixed(1)} s = ${s.itemsPerSecond.toFixed(0)} items/s (${Object.entries(
            s.byProcess,
          )
            .map(([p, n]) => `pid ${p}: ${n}`)
            .join(', ')})`,
        );
      } finally {
        await Promise.all(
          procs.map(
            (p) =>
              new Promise<void>((r) => {
                if (p.exitCode !== null) r();
                else {
                  p.once('exit', () => r());
                  p.kill('SIGTERM');
                }
              }),
          ),
        );
      }
    }
    rows.push({ workers, itemsPerSecond: median(runs), runs });
  }
  return rows;
}
