import { InputError } from '@hotplug/runtime';

/** A metric asked about zero samples: there is no figure to report (rather than NaN). */
export class EmptyEvaluationError extends InputError {
  override name = 'EmptyEvaluationError';
}

/** Checks two per-sample arrays have the same length, naming them in the error. */
export function sameLength(aName: string, a: ArrayLike<number>, bName: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new InputError(`${aName} has ${a.length} entries but ${bName} has ${b.length}: they must describe the same samples`);
  }
}

/** Per-sample correctness: 1 where the prediction equals the label, else 0 (what a paired bootstrap resamples). */
export function correctness(predictions: ArrayLike<number>, labels: ArrayLike<number>): Uint8Array {
  sameLength('predictions', predictions, 'labels', labels);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = predictions[i] === labels[i] ? 1 : 0;
  return out;
}

/** Fraction of samples whose prediction equals the label; EmptyEvaluationError for no samples. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  sameLength('predictions', predictions, 'labels', labels);
  if (labels.length === 0)
    throw new EmptyEvaluationError('accuracy of 0 samples is undefined: evaluate on at least one test image (check the test split and its sample size)');
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}
