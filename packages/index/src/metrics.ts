import { IndexInputError } from './errors';
import type { GalleryHit } from './gallery';

function checkPaired(a: readonly GalleryHit[][], b: readonly GalleryHit[][]): void {
  if (a.length !== b.length) throw new IndexInputError(`got results for ${a.length} and ${b.length} queries: compare the same queries`);
  if (!a.length) throw new IndexInputError('no queries to compare');
}

/**
 * Recall@k of approximate results against reference results (e.g. a full re-embedding): the mean
 * over queries of |top-k(approx) ∩ top-k(reference)| / k.
 */
export function recallAtK(approx: readonly GalleryHit[][], reference: readonly GalleryHit[][], k: number): number {
  checkPaired(approx, reference);
  if (!Number.isInteger(k) || k <= 0) throw new IndexInputError(`k must be a positive integer, got ${k}`);
  let sum = 0;
  approx.forEach((hits, q) => {
    const ref = reference[q]!.slice(0, k);
    if (ref.length < k) throw new IndexInputError(`reference results of query ${q} hold ${ref.length} hits, fewer than k = ${k}`);
    const want = new Set(ref.map((h) => h.id));
    sum += hits.slice(0, k).filter((h) => want.has(h.id)).length / k;
  });
  return sum / approx.length;
}

/** Mean reciprocal rank of each query's reference top-1 in the approximate list (0 when absent). */
export function meanReciprocalRank(approx: readonly GalleryHit[][], reference: readonly GalleryHit[][]): number {
  checkPaired(approx, reference);
  let sum = 0;
  approx.forEach((hits, q) => {
    const top = reference[q]![0];
    if (!top) throw new IndexInputError(`reference results of query ${q} are empty`);
    const rank = hits.findIndex((h) => h.id === top.id);
    sum += rank >= 0 ? 1 / (rank + 1) : 0;
  });
  return sum / approx.length;
}
