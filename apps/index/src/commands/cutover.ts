import { LanceGallery } from '@hotplug/index';
import { IncompleteRunError } from '../errors';
import { configKey, JobCheckpoint } from '../jobs/checkpoint';
import { readLive, writeLive, type LivePointer } from '../live';
import { layout, readManifest } from '../tables';
import { requireTable, type CommonOptions } from './common';

export interface CutoverOptions extends CommonOptions {
  to: string;
  force?: boolean;
}

/**
 * Makes a table the live one with one atomic rename of live.json. A backfill target must hold
 * every collection of the table it re-embeds (else IncompleteRunError, unless --force).
 */
export async function cutover(o: CutoverOptions): Promise<LivePointer> {
  await requireTable(o.out, o.to);
  const paths = layout(o.out);
  const manifest = readManifest(o.out, o.to);
  if (manifest?.backfillOf && !o.force) {
    const source = readManifest(o.out, manifest.backfillOf);
    const have = new Set(manifest.collections.map((c) => JSON.stringify(c.collection)));
    const missing = (source?.collections ?? []).filter((c) => !have.has(JSON.stringify(c.collection)));
    if (missing.length)
      throw new IncompleteRunError(
        `"${o.to}" is a backfill of "${manifest.backfillOf}" that lacks ${missing.length} of its collections; run: hotplug-index backfill --from ${manifest.backfillOf} --to ${o.to} (or --force)`,
      );
    for (const c of manifest.collections) {
      const cp = JobCheckpoint.peek(paths.jobs, `backfill-${o.to}-${configKey({ collection: c.collection, encoder: c.encoder })}`);
      if (cp && !cp.finished)
        throw new IncompleteRunError(
          `the backfill into "${o.to}" has unfinished shards (${cp.done.length}/${cp.shards}); rerun the backfill to finish it (or --force)`,
        );
    }
  }
  const space = await LanceGallery.readSpace(paths.db, o.to);
  const previous = readLive(o.out)?.table ?? null;
  const pointer = writeLive(o.out, o.to, space, previous);
  console.log(`live table: "${o.to}" (was ${previous === null ? 'none' : `"${previous}"`}); roll back with: hotplug-index cutover --to ${previous ?? o.to}`);
  return pointer;
}
