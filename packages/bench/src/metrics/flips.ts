import { EmptyEvaluationError, sameLength } from './accuracy';

/** How an upgrade changed per-sample correctness. */
export interface FlipCounts {
  samples: number;
  /** Samples the old system got right. */
  oldCorrect: number;
  /** Old right, new wrong. */
  negativeFlips: number;
  /** Old wrong, new right. */
  positiveFlips: number;
  /** negativeFlips / samples: the negative-flip rate of Yan et al. (CVPR 2021). */
  negativeFlipRate: number;
  /** negativeFlips / oldCorrect: the share of the old system's successes that the upgrade lost. */
  relativeNegativeFlipRate: number;
}

/**
 * Negative flips between an old and an upgraded system on the same samples. The rate is
 * normalised by all samples, as in Yan et al.; the relative rate by the old system's
 * correct samples (NaN when it got none right). EmptyEvaluationError for no samples.
 */
export function negativeFlips(oldPredictions: ArrayLike<number>, newPredictions: ArrayLike<number>, labels: ArrayLike<number>): FlipCounts {
  sameLength('old predictions', oldPredictions, 'labels', labels);
  sameLength('new predictions', newPredictions, 'labels', labels);
  if (labels.length === 0) throw new EmptyEvaluationError('negative flips of 0 samples are undefined: compare the systems on at least one test image');
  let oldCorrect = 0;
  let negative = 0;
  let positive = 0;
  for (let i = 0; i < labels.length; i++) {
    const o = oldPredictions[i] === labels[i];
    const n = newPredictions[i] === labels[i];
    if (o) oldCorrect++;
    if (o && !n) negative++;
    if (!o && n) positive++;
  }
  const samples = labels.length;
  return {
    samples,
    oldCorrect,
    negativeFlips: negative,
    positiveFlips: positive,
    negativeFlipRate: negative / samples,
    relativeNegativeFlipRate: oldCorrect > 0 ? negative / oldCorrect : NaN,
  };
}
