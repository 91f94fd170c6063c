import { LanceGallery, describeSpace } from '@hotplug/index';
import { UsageError } from '../errors';
import type { EncodeJob } from '../jobs/encode-shard';
import { runEncodeJob, type JobSummary } from '../jobs/run-job';
import { readLive, writeLive } from '../live';
import { parseSystem, ModelSet } from '../systems';
import { layout, readManifest, recordCollection, writeManifest } from '../tables';
import { backend, collectionSpec, int, modelDirs, scaleOptions, type CollectionOptions, type CommonOptions, type ScaleCliOptions } from './common';

export interface BuildOptions extends CommonOptions, CollectionOptions, ScaleCliOptions {
  table: string;
  encoder: string;
  batchSize: string;
  overwrite?: boolean;
  ivfPq?: boolean;
}

/** Encodes a collection with one model (default the old one) into a new stamped table; the first table built becomes live. */
export async function build(o: BuildOptions): Promise<JobSummary> {
  await backend(o);
  const paths = layout(o.out);
  const encoder = parseSystem(o.encoder);
  const models = modelDirs(o);
  const space = new ModelSet(models).space(encoder);
  const collection = collectionSpec(o);
  const exists = (await LanceGallery.tables(paths.db)).includes(o.table);
  const manifest = readManifest(o.out, o.table);
  if (exists && !o.overwrite && !manifest)
    throw new UsageError(`table "${o.table}" already exists in ${paths.db}; pass --overwrite to replace it or --table NAME for another`);
  if (!exists || o.overwrite) {
    const g = await LanceGallery.create(paths.db, space, { table: o.table, mode: o.overwrite ? 'overwrite' : 'create' });
    await g.close();
    writeManifest(o.out, {
      format: 'hotplug-index-table',
      version: 1,
      table: o.table,
      space,
      created: new Date().toISOString(),
      backfillOf: null,
      collections: [],
    });
  }
  const job: EncodeJob = { collection, encoder, models, db: paths.db, table: o.table, batchSize: int(o.batchSize, '--batch-size') };
  const summary = await runEncodeJob(`build-${o.table}`, job, paths.jobs, scaleOptions(o), {
    restart: Boolean(o.overwrite) || !exists,
    restartFlag: '--overwrite',
  });
  recordCollection(o.out, readManifest(o.out, o.table)!, { collection, encoder, items: summary.total });
  const g = await LanceGallery.open(paths.db, { table: o.table });
  if (o.ivfPq) await g.createIndex({ kind: 'ivf-pq' });
  const size = await g.size();
  await g.close();
  console.log(
    `table "${o.table}": ${size} items of ${describeSpace(space)} (${summary.items} written now at ${summary.itemsPerSecond.toFixed(0)} items/s, ${summary.resumedShards} shards resumed)`,
  );
  if (!readLive(o.out)) {
    writeLive(o.out, o.table, space, null);
    console.log(`"${o.table}" is now the live table`);
  }
  return summary;
}
