/** The figures a compatibility verdict is made from (any metric where higher is better). */
export interface CompatibilityInput {
  /** M(old, old): old query model against the old gallery / head. */
  oldOld: number;
  /** M(new, old): the upgraded query model against the old gallery / head; undefined when it cannot run (dimension mismatch). */
  newOld: number | undefined;
  /** M(new, new): the upper bound reached by re-indexing / retraining everything. */
  newNew?: number;
}

/** The answer to "does the upgrade keep this module working, and how well?" */
export interface CompatibilityVerdict {
  /** M(new, old) > M(old, old) (Shen et al., BCT, CVPR 2020). */
  compatible: boolean;
  /** M(new, old) − M(old, old); NaN when M(new, old) is undefined. */
  margin: number;
  /** (M(new, old) − M(old, old)) / (M(new, new) − M(old, old)): 1 means as good as retraining. NaN without M(new, new) or when retraining gains nothing. */
  gapClosed: number;
  /** One readable sentence. */
  summary: string;
}

/** Applies the compatibility criterion and states how far the upgrade goes towards M(new, new). */
export function compatibilityVerdict(input: CompatibilityInput): CompatibilityVerdict {
  const { oldOld, newOld, newNew } = input;
  if (!Number.isFinite(oldOld)) throw new Error(`M(old, old) must be a finite number, got ${oldOld}`);
  if (newOld === undefined || !Number.isFinite(newOld)) {
    return {
      compatible: false,
      margin: NaN,
      gapClosed: NaN,
      summary: 'incompatible: the old module cannot be applied to the new features at all',
    };
  }
  const margin = newOld - oldOld;
  const gain = newNew === undefined ? NaN : newNew - oldOld;
  const gapClosed = Number.isFinite(gain) && gain > 0 ? margin / gain : NaN;
  const pct = (v: number) => `${(v * 100).toFixed(1)}`;
  const compatible = margin > 0;
  const head = compatible ? `compatible: +${pct(margin)} points over the old system` : `not compatible: ${pct(margin)} points against the old system`;
  const tail = Number.isFinite(gapClosed) ? `, ${pct(gapClosed)}% of the way to retraining` : '';
  return { compatible, margin, gapClosed, summary: head + tail };
}
