import { identityMap, LanceGallery, sameSpace, type UpsertOptions } from '@hotplug/index';
import { Collection, type CollectionSpec } from '../collection';
import { ModelSet, type ModelDirs, type SystemSpec } from '../systems';
import type { Shard, ShardResult } from './runner';

/** A sharded encode-and-upsert job, as data (it travels through Redis to worker processes). */
export interface EncodeJob {
  collection: CollectionSpec;
  encoder: SystemSpec;
  models: ModelDirs;
  /** LanceDB database folder and table. */
  db: string;
  table: string;
  batchSize: number;
}

/**
 * What a process keeps between shards: models, opened collections and tables, each loaded once.
 * A worker serves shards of any job; the keys are the jobs' own fields.
 */
export class ShardContext {
  private models = new Map<string, ModelSet>();
  private collections = new Map<string, Collection>();
  private galleries = new Map<string, Promise<LanceGallery>>();

  modelSet(dirs: ModelDirs): ModelSet {
    const key = JSON.stringify(dirs);
    let m = this.models.get(key);
    if (!m) {
      m = new ModelSet(dirs);
      this.models.set(key, m);
    }
    return m;
  }

  collection(spec: CollectionSpec): Collection {
    const key = JSON.stringify(spec);
    let c = this.collections.get(key);
    if (!c) {
      c = new Collection(spec);
      this.collections.set(key, c);
    }
    return c;
  }

  gallery(db: string, table: string): Promise<LanceGallery> {
    const key = JSON.stringify([db, table]);
    let g = this.galleries.get(key);
    if (!g) {
      g = LanceGallery.open(db, { table });
      this.galleries.set(key, g);
    }
    return g;
  }

  async dispose(): Promise<void> {
    for (const g of this.galleries.values()) await (await g).close();
    for (const m of this.models.values()) m.dispose();
    this.galleries.clear();
    this.models.clear();
    this.collections.clear();
  }
}

/**
 * How an encoder's vectors enter a table: as they are when the spaces agree; through the identity
 * map when the encoder is the new model + a TaCA adapter (trained into the old space) and the table
 * holds the bare old model; otherwise as they are, so the gallery refuses them with its space error.
 */
export function upsertOptions(encoder: SystemSpec, from: LanceGallery['space'], table: LanceGallery['space']): UpsertOptions {
  if (sameSpace(from, table)) return { space: from };
  if (encoder.adapter && table.adapters.length === 0 && from.dim === table.dim) return { space: from, via: identityMap(from, table) };
  return { space: from };
}

/** Encodes items [start, end) of the job's collection and upserts them by id: running it twice leaves each item once. */
export async function encodeShard(ctx: ShardContext, job: EncodeJob, shard: Shard): Promise<ShardResult> {
  const started = performance.now();
  const encoder = ctx.modelSet(job.models).encoder(job.encoder);
  const { items, images } = ctx.collection(job.collection).slice(shard.start, shard.end);
  const vectors = await encoder.encode(images, job.batchSize);
  const gallery = await ctx.gallery(job.db, job.table);
  const report = await gallery.upsert(
    { ids: items.map((i) => i.id), vectors, metadata: items.map(({ dataset, split, index, augment, label }) => ({ dataset, split, index, augment, label })) },
    upsertOptions(job.encoder, encoder.space, gallery.space),
  );
  return {
    shard: shard.shard,
    items: items.length,
    inserted: report.inserted,
    updated: report.updated,
    retries: report.retries,
    seconds: (performance.now() - started) / 1000,
    pid: process.pid,
  };
}
