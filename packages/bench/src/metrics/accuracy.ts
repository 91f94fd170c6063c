/** Checks two per-sample arrays have the same length, naming them in the error. */
export function sameLength(aName: string, a: ArrayLike<number>, bName: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new Error(`${aName} has ${a.length} entries but ${bName} has ${b.length}: they must describe the same samples`);
  }
}

/** Fraction of samples whose prediction equals the label. NaN for no samples. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  sameLength('predictions', predictions, 'labels', labels);
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}
