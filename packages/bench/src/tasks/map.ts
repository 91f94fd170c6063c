/**
 * Class-wise mean average precision of a multi-label task: for each class the items are
 * ranked by the class's score (higher first, ties in item order) and the average precision
 * of the items that contain the class is taken; the mean runs over the classes present
 * among the items (a class without a positive has no AP). Items may carry a weight, the
 * number of times a bootstrap resample drew them: a weight-w item counts as w adjacent copies.
 */
export interface MultiLabelScores {
  /** Items scored. */
  rows: number;
  classes: number;
  /** scores[i * classes + c]: the module's score of class c on item i. */
  scores: ArrayLike<number>;
  /** targets[i * classes + c] = 1 when item i contains class c. */
  targets: ArrayLike<number>;
}

/** Per class, the items in rank order (computed once, reused by every resample). */
export function classRankings(s: MultiLabelScores): Int32Array[] {
  const { rows, classes, scores } = s;
  return Array.from({ length: classes }, (_, c) =>
    Int32Array.from(Array.from({ length: rows }, (_, r) => r).sort((a, b) => scores[b * classes + c]! - scores[a * classes + c]!)),
  );
}

/** Class-wise mAP; `weights[i]` copies of item i (default one each); NaN when no class has a positive. */
export function meanAveragePrecision(s: MultiLabelScores, rankings: Int32Array[] = classRankings(s), weights?: ArrayLike<number>): number {
  let sum = 0;
  let defined = 0;
  for (let c = 0; c < s.classes; c++) {
    const order = rankings[c]!;
    let seen = 0;
    let hits = 0;
    let ap = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const w = weights ? weights[i]! : 1;
      if (w === 0) continue;
      if (s.targets[i * s.classes + c] === 1) for (let j = 1; j <= w; j++) ap += (hits + j) / (seen + j);
      if (s.targets[i * s.classes + c] === 1) hits += w;
      seen += w;
    }
    if (hits > 0) {
      sum += ap / hits;
      defined++;
    }
  }
  return defined > 0 ? sum / defined : NaN;
}
