/**
 * Metrics of ranked result lists against sets of relevant items, for searches whose results
 * are ids (a vector database's hits) rather than a similarity matrix. Relevance is given per
 * query, so the same functions score label relevance, instance relevance (copies of one
 * image) and agreement with another system's neighbours (a full re-embedding's top k).
 */

function checkLengths(what: string, rankings: ReadonlyArray<unknown>, relevant: ReadonlyArray<unknown>): void {
  if (rankings.length !== relevant.length)
    throw new Error(`${what}: got ${rankings.length} ranked lists but ${relevant.length} relevant sets; give one relevant set per query`);
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new Error(`k must be a positive integer, got ${k}`);
}

/**
 * Recall@k: per query, the fraction of its relevant items found among the first k results,
 * averaged over the queries that have any relevant item (queries without one are left out).
 * With relevant = another system's top k this is the neighbour overlap |A_k ∩ B_k| / k.
 */
export function recallAtK<T>(rankings: ReadonlyArray<ArrayLike<T>>, relevant: ReadonlyArray<ReadonlySet<T>>, k: number): number {
  checkLengths('recallAtK', rankings, relevant);
  checkK(k);
  let sum = 0;
  let counted = 0;
  for (let q = 0; q < rankings.length; q++) {
    const rel = relevant[q]!;
    if (rel.size === 0) continue;
    const list = rankings[q]!;
    let found = 0;
    const seen = new Set<T>();
    for (let i = 0; i < Math.min(k, list.length); i++) {
      const id = list[i]!;
      // A list that repeats an id must not count it twice.
      if (rel.has(id) && !seen.has(id)) found++;
      seen.add(id);
    }
    sum += found / rel.size;
    counted++;
  }
  return counted > 0 ? sum / counted : NaN;
}

/**
 * Mean reciprocal rank: per query 1 / (rank of the first relevant result), 0 when none is in
 * the list (or within the first `cutoff`), averaged over queries with any relevant item.
 */
export function meanReciprocalRank<T>(rankings: ReadonlyArray<ArrayLike<T>>, relevant: ReadonlyArray<ReadonlySet<T>>, cutoff = Infinity): number {
  checkLengths('meanReciprocalRank', rankings, relevant);
  if (!(cutoff > 0)) throw new Error(`cutoff must be positive, got ${cutoff}`);
  let sum = 0;
  let counted = 0;
  for (let q = 0; q < rankings.length; q++) {
    const rel = relevant[q]!;
    if (rel.size === 0) continue;
    const list = rankings[q]!;
    const n = Math.min(list.length, cutoff);
    for (let i = 0; i < n; i++) {
      if (rel.has(list[i]!)) {
        sum += 1 / (i + 1);
        break;
      }
    }
    counted++;
  }
  return counted > 0 ? sum / counted : NaN;
}
