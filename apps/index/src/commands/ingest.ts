import { LanceGallery } from '@hotplug/index';
import { UsageError } from '../errors';
import { configKey } from '../jobs/checkpoint';
import type { EncodeJob } from '../jobs/encode-shard';
import { runEncodeJob, type JobSummary } from '../jobs/run-job';
import { parseSystem } from '../systems';
import { layout, readManifest, recordCollection } from '../tables';
import {
  backend,
  collectionSpec,
  int,
  modelDirs,
  requireTable,
  scaleOptions,
  tableOf,
  type CollectionOptions,
  type CommonOptions,
  type ScaleCliOptions,
} from './common';

export interface IngestOptions extends CommonOptions, CollectionOptions, ScaleCliOptions {
  table?: string;
  encoder: string;
  batchSize: string;
}

/**
 * New items into an existing table, encoded by the new model + a TaCA adapter (trained into the
 * table's space) and stamped with where they came from; a raw new-model encoder is refused.
 */
export async function ingest(o: IngestOptions): Promise<JobSummary> {
  await backend(o);
  const table = tableOf(o);
  await requireTable(o.out, table);
  const paths = layout(o.out);
  const encoder = parseSystem(o.encoder);
  const collection = collectionSpec(o);
  const manifest = readManifest(o.out, table);
  if (!manifest) throw new UsageError(`table "${table}" has no manifest in ${o.out}/tables; it was not built by hotplug-index`);
  const job: EncodeJob = { collection, encoder, models: modelDirs(o), db: paths.db, table, batchSize: int(o.batchSize, '--batch-size') };
  // One checkpoint per distinct ingest into this table as created: the same command resumes, another is another ingest.
  const summary = await runEncodeJob(`ingest-${table}-${configKey({ collection, encoder, created: manifest.created })}`, job, paths.jobs, scaleOptions(o));
  recordCollection(o.out, manifest, { collection, encoder, items: summary.total });
  const g = await LanceGallery.open(paths.db, { table });
  const size = await g.size();
  await g.close();
  const by = Object.entries(summary.byProcess)
    .map(([pid, n]) => `pid ${pid}: ${n}`)
    .join(', ');
  console.log(
    `ingested ${summary.items} items into "${table}" (${summary.itemsPerSecond.toFixed(0)} items/s, ${summary.runner}${by ? `; ${by}` : ''}); table now holds ${size}`,
  );
  return summary;
}
