import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { identityMap, LanceGallery, loadMap, type GalleryHit, type SearchOptions } from '@hotplug/index';
import { Collection } from '../collection';
import { UsageError } from '../errors';
import { ModelSet, parseSystem } from '../systems';
import { layout } from '../tables';
import { backend, collectionSpec, int, modelDirs, requireTable, tableOf, type CollectionOptions, type CommonOptions } from './common';

export interface QueryOptions extends CommonOptions, CollectionOptions {
  table?: string;
  encoder: string;
  via?: string;
  k: string;
  exact?: boolean;
  json?: boolean;
}

export interface QueryResult {
  table: string;
  encoder: string;
  via: string | null;
  queries: { id: string; hits: GalleryHit[] }[];
}

/**
 * Query images encoded by the new model (bare, or + a TaCA adapter) searched in a table of the
 * old model's space, through the map `plan` fitted (--via KIND) or the adapter's identity into
 * the old space. A bare new-model query without --via is refused by the table (SpaceMismatchError).
 */
export async function query(o: QueryOptions): Promise<QueryResult> {
  await backend(o);
  const table = tableOf(o);
  await requireTable(o.out, table);
  const encoderSpec = parseSystem(o.encoder);
  const models = new ModelSet(modelDirs(o));
  try {
    const encoder = models.encoder(encoderSpec);
    const gallery = await LanceGallery.open(layout(o.out).db, { table });
    try {
      const search: SearchOptions = { space: encoder.space, ...(o.exact ? { exact: true } : {}) };
      if (o.via) {
        if (encoderSpec.adapter)
          throw new UsageError('--via applies a post-hoc map to bare new-model queries; an adapter encoder needs none (drop --via or the +ADAPTER)');
        const dir = join(layout(o.out).maps(table), o.via);
        if (!existsSync(dir))
          throw new UsageError(`no fitted "${o.via}" map for table "${table}" in ${dir}; fit maps with: hotplug-index plan --table ${table}`);
        search.via = loadMap(dir);
      } else if (encoderSpec.adapter && gallery.space.adapters.length === 0 && encoder.space.dim === gallery.space.dim) {
        search.via = identityMap(encoder.space, gallery.space);
      }
      const collection = new Collection(collectionSpec(o));
      const { items, images } = collection.slice(0, collection.size);
      const vectors = await encoder.encode(images);
      const hits = await gallery.search(vectors, int(o.k, '-k'), search);
      const result: QueryResult = {
        table,
        encoder: o.encoder,
        via: o.via ?? (search.via ? 'identity' : null),
        queries: items.map((it, i) => ({ id: it.id, hits: hits[i]! })),
      };
      if (o.json) console.log(JSON.stringify(result, null, 2));
      else
        for (const q of result.queries)
          console.log(
            `${q.id}: ${q.hits.map((h) => `${h.id} (${h.score.toFixed(3)}${h.metadata && 'label' in h.metadata ? `, label ${String(h.metadata.label)}` : ''})`).join('  ')}`,
          );
      return result;
    } finally {
      await gallery.close();
    }
  } finally {
    models.dispose();
  }
}
