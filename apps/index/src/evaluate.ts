import type { Gallery, Matrix, SearchOptions, SpaceMap } from '@hotplug/index';
import type { ImageStack } from './collection';
import type { SystemEncoder } from './systems';

/** Ranked ids per query, best first, `k` long; with `exclude`, query i's own item is dropped from its list. */
export async function rankedIds(gallery: Gallery, queries: Matrix, options: SearchOptions, k: number, exclude?: readonly string[]): Promise<string[][]> {
  const hits = await gallery.search(queries, exclude ? k + 1 : k, { ...options, withMetadata: false });
  return hits.map((list, i) => list.map((h) => h.id).filter((id) => id !== exclude?.[i]).slice(0, k));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rows [i] of a matrix as a 1-row matrix (one query). */
export function rowOf(m: Matrix, i: number): Matrix {
  return { data: m.data.slice(i * m.dim, (i + 1) * m.dim), rows: 1, dim: m.dim };
}

/** Median time (µs) the map adds to one query vector: map.apply on a single row, after a warm-up. */
export function mapLatencyUs(map: SpaceMap, queries: Matrix, reps = 500): number {
  const rows = Array.from({ length: Math.min(reps, queries.rows) }, (_, i) => rowOf(queries, i % queries.rows));
  for (const r of rows.slice(0, 50)) map.apply(r);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const r = rows[i % rows.length]!;
    const t = process.hrtime.bigint();
    map.apply(r);
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}

/** Median time (µs) to encode one query image (batch of 1) with an encoder, after a warm-up. */
export async function encodeLatencyUs(encoder: SystemEncoder, image: ImageStack, reps = 30): Promise<number> {
  for (let i = 0; i < 3; i++) await encoder.encode(image, 1);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    await encoder.encode(image, 1);
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}
