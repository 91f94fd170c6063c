/**
 * Keeps the k best (index, score) pairs sorted best first; a tie keeps the earlier index first,
 * so results are deterministic.
 */
export function topKInsert(idx: number[], score: number[], k: number, i: number, s: number): void {
  if (idx.length === k) {
    if (!(s > score[k - 1]!)) return;
    idx.pop();
    score.pop();
  }
  let at = idx.length;
  while (at > 0 && s > score[at - 1]!) at--;
  idx.splice(at, 0, i);
  score.splice(at, 0, s);
}
