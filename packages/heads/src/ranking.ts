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
