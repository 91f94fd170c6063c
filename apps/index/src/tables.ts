import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingSpace } from '@hotplug/index';
import { writeJsonAtomic } from '@hotplug/runtime';
import type { CollectionSpec } from './collection';
import type { SystemSpec } from './systems';

/** Where an out folder keeps things: one LanceDB database, one manifest per table, job checkpoints, fitted maps. */
export function layout(out: string) {
  return {
    db: join(out, 'db'),
    manifest: (table: string) => join(out, 'tables', `${table}.json`),
    jobs: join(out, 'jobs'),
    maps: (table: string) => join(out, 'maps', table),
  };
}

/** What went into a table: every collection written to it and through which encoder (backfill re-embeds these). */
export interface TableManifest {
  format: 'hotplug-index-table';
  version: 1;
  table: string;
  space: EmbeddingSpace;
  /** When the table was (re)created: checkpoints of writes into an older table of the same name never resume into this one. */
  created: string;
  /** For a backfill target: the table it re-embeds. */
  backfillOf: string | null;
  collections: { collection: CollectionSpec; encoder: SystemSpec; items: number }[];
}

export function readManifest(out: string, table: string): TableManifest | null {
  const path = layout(out).manifest(table);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TableManifest) : null;
}

export function writeManifest(out: string, manifest: TableManifest): void {
  writeJsonAtomic(layout(out).manifest(manifest.table), manifest);
}

/** Records one more collection written to a table (idempotent for the same collection + encoder). */
export function recordCollection(out: string, manifest: TableManifest, entry: TableManifest['collections'][number]): TableManifest {
  const key = JSON.stringify([entry.collection, entry.encoder]);
  if (!manifest.collections.some((c) => JSON.stringify([c.collection, c.encoder]) === key)) manifest.collections.push(entry);
  writeManifest(out, manifest);
  return manifest;
}
