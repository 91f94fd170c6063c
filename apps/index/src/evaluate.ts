import type { Gallery, Matrix, SearchOptions, SpaceMap } from '@hotplug/index';
import type { ImageStack } from './collection';
import type { SystemEncoder } from './systems';

/** Ranked ids per query, best first, `k` long; with `exclude`, query i's own item is dropped from its list. */
export async function rankedIds(gallery: Gallery, queries: Matrix, options: SearchOptions, k: number, exclude?: readonly string[]): Promise<string[][]> {
  const hits = await gallery.search(queries, exclude ? k + 1 : k, { ...options, withMetadata: false });
  return hits.map((list, i) =>
    list
      .map((h) => h.id)
      .filter((id) => id !== exclude?.[i])
      .slice(0, k),
  );
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

async function timeUs(encoder: SystemEncoder, images: ImageStack, batchSize: number): Promise<number> {
  const t = process.hrtime.bigint();
  await encoder.encode(images, batchSize);
  return Number(process.hrtime.bigint() - t) / 1000;
}

/**
 * Time an adapted encoder adds over the bare one, per image: the two are timed alternately and
 * the median of the paired differences is taken, so load from other processes on a shared
 * machine falls on both sides of each pair. `images.size` 1 gives the per-query figure.
 */
export async function addedEncodeUs(bare: SystemEncoder, adapted: SystemEncoder, images: ImageStack, reps = 40): Promise<{ bareUs: number; addedUs: number }> {
  for (let i = 0; i < 3; i++) {
    await timeUs(bare, images, images.size);
    await timeUs(adapted, images, images.size);
  }
  const base: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < reps; i++) {
    const b = await timeUs(bare, images, images.size);
    const a = await timeUs(adapted, images, images.size);
    base.push(b / images.size);
    diff.push((a - b) / images.size);
  }
  return { bareUs: median(base), addedUs: median(diff) };
}

/** Mean over queries of the share of the first k results whose label is the query's. */
export function precisionAtK(ranked: readonly string[][], queryLabels: readonly number[], labelOf: (id: string) => number, k: number): number {
  let sum = 0;
  for (let q = 0; q < ranked.length; q++) {
    const top = ranked[q]!.slice(0, k);
    sum += top.filter((id) => labelOf(id) === queryLabels[q]).length / k;
  }
  return ranked.length ? sum / ranked.length : NaN;
}
