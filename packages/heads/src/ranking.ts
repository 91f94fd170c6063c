/**
 * Average precision of one ranked list: the mean, over the relevant items, of the
 * precision at each relevant item's rank. Returns NaN when nothing is relevant
 * (such a query has no defined AP and is left out of the mean).
 */
export function averagePrecision(relevantInRankOrder: ArrayLike<boolean>): number {
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < relevantInRankOrder.length; i++) {
    if (relevantInRankOrder[i]) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return hits === 0 ? NaN : sum / hits;
}

/** Mean of the defined (non-NaN) values, and how many were defined. */
export function meanDefined(values: ArrayLike<number>): { mean: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return { mean: count > 0 ? sum / count : NaN, count };
}

/** First index in an ascending array whose value is > v. */
function upperBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in an ascending array whose value is >= v. */
function lowerBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * 1-based ranks, ascending, of the relevant items when `scores` are ranked in descending
 * order with ties going to the lower index. Equivalent to sorting the whole ranking, but
 * only the scores are sorted (a typed-array sort) and each relevant item is placed by
 * binary search, which is several times faster for large galleries.
 */
export function relevantRanks(scores: Float32Array, relevant: (index: number) => boolean): Float64Array {
  const sorted = Float32Array.from(scores).sort();
  const ranks: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (!relevant(j)) continue;
    const s = scores[j]!;
    const above = upperBound(sorted, s);
    let rank = sorted.length - above + 1;
    if (above - lowerBound(sorted, s) > 1) {
      // Ties are rare with float scores: count the equal ones before j directly.
      for (let i = 0; i < j; i++) if (scores[i] === s) rank++;
    }
    ranks.push(rank);
  }
  return Float64Array.from(ranks).sort();
}

/** Average precision from the ascending ranks of the relevant items (NaN when there are none). */
export function averagePrecisionFromRanks(ranks: Float64Array): number {
  if (ranks.length === 0) return NaN;
  let sum = 0;
  for (let k = 0; k < ranks.length; k++) sum += (k + 1) / ranks[k]!;
  return sum / ranks.length;
}
