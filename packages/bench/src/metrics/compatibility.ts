import { InputError } from '@hotplug/runtime';
import { verdictOfInterval, type MarginInterval, type Verdict } from './bootstrap';

/** The figures a compatibility verdict is made from (any metric where higher is better). */
export interface CompatibilityInput {
  /** M(old, old): old query model against the old gallery / head. */
  oldOld: number;
  /** M(new, old): the upgraded query model against the old gallery / head; undefined when it cannot run (dimension mismatch). */
  newOld: number | undefined;
  /** M(new, new): the upper bound reached by re-indexing / retraining everything. */
  newNew?: number;
  /** Confidence interval of M(new, old) − M(old, old) (marginInterval). Without one there is no verdict: 'inconclusive'. */
  interval?: Pick<MarginInterval, 'low' | 'high' | 'level'>;
}

/** The answer to "does the upgrade keep this module working, and how well?" */
export interface CompatibilityVerdict {
  /**
   * 'compatible': the interval of M(new, old) − M(old, old) lies above 0 (Shen et al., BCT,
   * CVPR 2020, with uncertainty); 'not compatible': below 0; 'inconclusive': it contains 0
   * (or there is no interval); 'cannot run': the old module cannot take the new features.
   */
  verdict: Verdict;
  /** verdict === 'compatible'. */
  compatible: boolean;
  /** M(new, old) − M(old, old); NaN when M(new, old) is undefined. */
  margin: number;
  /** The interval the verdict was read from; undefined without one. */
  interval?: { low: number; high: number; level: number };
  /** (M(new, old) − M(old, old)) / (M(new, new) − M(old, old)): 1 means as good as retraining. NaN without M(new, new) or when retraining gains nothing. */
  gapClosed: number;
  /** One readable sentence. */
  summary: string;
}

const pts = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;

/** Applies the compatibility criterion to a margin and its interval, and states how far the upgrade goes towards M(new, new). */
export function compatibilityVerdict(input: CompatibilityInput): CompatibilityVerdict {
  const { oldOld, newOld, newNew, interval } = input;
  if (!Number.isFinite(oldOld)) throw new InputError(`M(old, old) must be a finite number, got ${oldOld}`);
  if (newOld === undefined || !Number.isFinite(newOld)) {
    return {
      verdict: 'cannot run',
      compatible: false,
      margin: NaN,
      gapClosed: NaN,
      summary: 'cannot run: the old module cannot be applied to the new features at all',
    };
  }
  const margin = newOld - oldOld;
  const gain = newNew === undefined ? NaN : newNew - oldOld;
  const gapClosed = Number.isFinite(gain) && gain > 0 ? margin / gain : NaN;
  const verdict = interval ? verdictOfInterval(interval) : 'inconclusive';
  const ci = interval ? ` (${Math.round(interval.level * 100)}% CI ${pts(interval.low)} to ${pts(interval.high)})` : ' (no confidence interval)';
  const tail = Number.isFinite(gapClosed) ? `, ${(gapClosed * 100).toFixed(1)}% of the way to retraining` : '';
  return {
    verdict,
    compatible: verdict === 'compatible',
    margin,
    ...(interval ? { interval: { low: interval.low, high: interval.high, level: interval.level } } : {}),
    gapClosed,
    summary: `${verdict}: ${pts(margin)} points against the old system${ci}${tail}`,
  };
}
