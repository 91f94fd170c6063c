import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingSpace } from '@hotplug/index';
import { writeJsonAtomic } from '@hotplug/runtime';
import { UsageError } from './errors';

/** Which table serves queries. Replaced whole by an atomic rename: readers see the old or the new pointer, never half of one. */
export interface LivePointer {
  format: 'hotplug-index-live';
  version: 1;
  table: string;
  space: EmbeddingSpace;
  switchedAt: string;
  /** The table served before this switch (what `cutover --to` it would roll back to). */
  previous: string | null;
}

export const LIVE_FILE = 'live.json';

export function readLive(out: string): LivePointer | null {
  const path = join(out, LIVE_FILE);
  if (!existsSync(path)) return null;
  let p: LivePointer;
  try {
    p = JSON.parse(readFileSync(path, 'utf8')) as LivePointer;
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message}); rewrite it with: hotplug-index cutover --to TABLE --out ${out}`);
  }
  if (p.format !== 'hotplug-index-live' || typeof p.table !== 'string')
    throw new UsageError(`${path} is not a hotplug-index live pointer; rewrite it with: hotplug-index cutover --to TABLE --out ${out}`);
  return p;
}

export function writeLive(out: string, table: string, space: EmbeddingSpace, previous: string | null): LivePointer {
  const pointer: LivePointer = { format: 'hotplug-index-live', version: 1, table, space, switchedAt: new Date().toISOString(), previous };
  writeJsonAtomic(join(out, LIVE_FILE), pointer);
  return pointer;
}
