import { LanceGallery, sameSpace, describeSpace } from '@hotplug/index';
import { UsageError } from '../errors';
import { configKey } from '../jobs/checkpoint';
import type { EncodeJob } from '../jobs/encode-shard';
import { runEncodeJob, type JobSummary } from '../jobs/run-job';
import { ModelSet, parseSystem } from '../systems';
import { layout, readManifest, recordCollection, writeManifest } from '../tables';
import { backend, int, modelDirs, requireTable, scaleOptions, tableOf, type CommonOptions, type ScaleCliOptions } from './common';

export interface BackfillOptions extends CommonOptions, ScaleCliOptions {
  from?: string;
  to?: string;
  encoder: string;
  batchSize: string;
  restart?: boolean;
}

/**
 * Re-embeds everything a table was built from with the new model into a new table, shard by
 * shard with a checkpoint: a killed backfill resumes where it stopped, and the old table keeps
 * serving (live.json is not touched) until `cutover`.
 */
export async function backfill(o: BackfillOptions): Promise<JobSummary[]> {
  await backend(o);
  const from = o.from ?? tableOf(o);
  await requireTable(o.out, from);
  const source = readManifest(o.out, from);
  if (!source?.collections.length)
    throw new UsageError(`table "${from}" has no recorded collections (${o.out}/tables/${from}.json); backfill re-embeds what build and ingest recorded`);
  const to = o.to ?? `${from}-next`;
  if (to === from) throw new UsageError('--to must name another table than --from');
  const paths = layout(o.out);
  const encoder = parseSystem(o.encoder);
  const models = modelDirs(o);
  const space = new ModelSet(models).space(encoder);
  const exists = (await LanceGallery.tables(paths.db)).includes(to);
  if (exists && !o.restart) {
    const stamped = await LanceGallery.readSpace(paths.db, to);
    if (!sameSpace(stamped, space))
      throw new UsageError(
        `table "${to}" holds ${describeSpace(stamped)}, not the backfill encoder's ${describeSpace(space)}; pass --to NAME for another table or --restart to replace it`,
      );
    if (readManifest(o.out, to)?.backfillOf !== from)
      throw new UsageError(`table "${to}" exists but is not a backfill of "${from}"; pass --to NAME for another table or --restart to replace it`);
  } else {
    await (await LanceGallery.create(paths.db, space, { table: to, mode: exists ? 'overwrite' : 'create' })).close();
    writeManifest(o.out, { format: 'hotplug-index-table', version: 1, table: to, space, created: new Date().toISOString(), backfillOf: from, collections: [] });
  }
  const summaries: JobSummary[] = [];
  for (const [i, entry] of source.collections.entries()) {
    const job: EncodeJob = { collection: entry.collection, encoder, models, db: paths.db, table: to, batchSize: int(o.batchSize, '--batch-size') };
    const summary = await runEncodeJob(`backfill-${to}-${configKey({ collection: entry.collection, encoder })}`, job, paths.jobs, scaleOptions(o), {
      // A table created just now has nothing written: an old checkpoint of that name must not resume into it.
      restart: Boolean(o.restart) || !exists,
      label: `backfill ${i + 1}/${source.collections.length}`,
    });
    recordCollection(o.out, readManifest(o.out, to)!, { collection: entry.collection, encoder, items: summary.total });
    summaries.push(summary);
  }
  const g = await LanceGallery.open(paths.db, { table: to });
  const size = await g.size();
  await g.close();
  console.log(
    `backfill of "${from}" into "${to}" complete: ${size} items of ${describeSpace(space)}; "${from}" still serves. Switch with: hotplug-index cutover --to ${to}`,
  );
  return summaries;
}
