import { InputError, Rng } from '@hotplug/runtime';

/**
 * One training run's per-item figures for the two systems a margin compares, on the same
 * test items in the same order: `old` = M(old, old) per item, `upgraded` = M(upgraded, old)
 * per item (1/0 correctness for classifiers and top-1, average precision for mAP; NaN for an
 * item without a defined value, e.g. a query with no relevant gallery item).
 */
export interface PairedItems {
  old: ArrayLike<number>;
  upgraded: ArrayLike<number>;
}

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Confidence level of the interval (default 0.95). */
  level?: number;
  /** Seed of the resampling: the same inputs and seed give the same interval (default 0). */
  seed?: number | string;
}

/** A margin with its bootstrap confidence interval. */
export interface MarginInterval {
  /** Mean over runs of the mean per-item difference: M(upgraded, old) − M(old, old). */
  margin: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
  /** Test items paired (those defined for both systems in at least one run). */
  items: number;
  /** Training runs pooled (1 for a deterministic module). */
  runs: number;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

/**
 * Bootstrap interval of the margin M(upgraded, old) − M(old, old).
 *
 * Items are paired: each resample draws n test items with replacement and uses the same
 * items for both systems (and for every run), so the item-to-item correlation of the two
 * systems cancels instead of widening the interval. Where training is random (several runs:
 * head seeds, prompt-learner seeds, adapter seeds) the runs are resampled too, before the
 * items (a two-level bootstrap): a resample's margin is the mean over the drawn runs of
 * the paired item mean. That puts the spread between training seeds into the interval; with
 * few runs (2–3) it is the plain bootstrap's known under-estimate, by a factor of about
 * (runs − 1) / runs of the seed variance. A deterministic module is one run and the
 * interval is the paired bootstrap over items alone.
 *
 * The interval is the percentile interval: the resample margins sorted, the lower bound the
 * one at rank floor(B·α/2), the upper bound the one at rank ceil(B·(1 − α/2)) − 1 (0-based),
 * α = 1 − level.
 */
export function marginInterval(runs: readonly PairedItems[], options: BootstrapOptions = {}): MarginInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(resamples) || resamples < 1) throw new InputError(`bootstrap resamples must be a whole number >= 1, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new InputError(`confidence level must be between 0 and 1 (e.g. 0.95), got ${level}`);
  if (runs.length === 0) throw new InputError('a margin needs at least one run of paired per-item figures');
  const n = runs[0]!.old.length;
  if (n === 0) throw new InputError('a margin needs at least one test item');
  const diffs = runs.map((r, k) => {
    if (r.old.length !== n || r.upgraded.length !== n) {
      throw new InputError(
        `run ${k} has ${r.old.length} old and ${r.upgraded.length} upgraded items, run 0 has ${n}: every run must score the same test items`,
      );
    }
    // NaN marks an item without a value for either system; it is left out of every mean.
    return Float64Array.from({ length: n }, (_, i) => r.upgraded[i]! - r.old[i]!);
  });
  const paired = Array.from({ length: n }, (_, i) => diffs.some((d) => !Number.isNaN(d[i]!))).filter(Boolean).length;
  if (paired === 0) throw new InputError('no test item has a figure for both systems; nothing to compare');
  const runMean = (d: Float64Array, items: Int32Array | null): number => {
    let s = 0;
    let c = 0;
    if (items) {
      for (let j = 0; j < items.length; j++) {
        const v = d[items[j]!]!;
        if (!Number.isNaN(v)) {
          s += v;
          c++;
        }
      }
    } else {
      for (let j = 0; j < d.length; j++) {
        const v = d[j]!;
        if (!Number.isNaN(v)) {
          s += v;
          c++;
        }
      }
    }
    return c > 0 ? s / c : NaN;
  };
  const meanOfRuns = (items: Int32Array | null, picks: Int32Array | null): number => {
    let s = 0;
    let c = 0;
    const m = picks ? picks.length : diffs.length;
    for (let k = 0; k < m; k++) {
      const v = runMean(diffs[picks ? picks[k]! : k]!, items);
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    return c > 0 ? s / c : NaN;
  };
  const margin = meanOfRuns(null, null);
  const rng = new Rng(`bootstrap/${options.seed ?? 0}`);
  const items = new Int32Array(n);
  const picks = runs.length > 1 ? new Int32Array(runs.length) : null;
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    // rng.next() rather than rng.int(): the same draw without int()'s argument check, which dominates here.
    if (picks) for (let k = 0; k < picks.length; k++) picks[k] = Math.floor(rng.next() * runs.length);
    for (let j = 0; j < n; j++) items[j] = Math.floor(rng.next() * n);
    const v = meanOfRuns(items, picks);
    // A resample that drew only undefined items has no margin; it is left out.
    if (!Number.isNaN(v)) values.push(v);
  }
  const { low, high } = percentileInterval(values, level);
  return { margin, low, high, level, resamples, items: paired, runs: runs.length };
}

/** The percentile interval of resample margins (sorts `values` in place); see marginInterval. */
function percentileInterval(values: number[], level: number): { low: number; high: number } {
  values.sort((a, b) => a - b);
  const alpha = 1 - level;
  const B = values.length;
  return { low: values[Math.min(B - 1, Math.floor(B * (alpha / 2)))]!, high: values[Math.max(0, Math.ceil(B * (1 - alpha / 2)) - 1)]! };
}

/**
 * The same paired bootstrap as marginInterval for a margin that is not a mean of per-item
 * differences (class-wise mAP of a multi-label task ranks all items per class): each
 * resample draws n test items with replacement, the same items for both systems, and
 * `marginOf(items, runs)` recomputes M(upgraded, old) − M(old, old) on them (NaN: undefined on
 * that resample, left out). With several training runs (`options.runs`, e.g. adapter seeds)
 * the runs are drawn first, as in marginInterval, and `runs` lists the drawn run indices;
 * `marginOf` then averages over them. `marginOf(null, null)` is the margin on the items and
 * runs as they are. Same seeding, draw order and percentile interval as marginInterval.
 */
export function resampledMarginInterval(
  n: number,
  marginOf: (items: Int32Array | null, runs: Int32Array | null) => number,
  options: BootstrapOptions & { runs?: number } = {},
): MarginInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? DEFAULT_LEVEL;
  const runs = options.runs ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) throw new InputError(`bootstrap resamples must be a whole number >= 1, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new InputError(`confidence level must be between 0 and 1 (e.g. 0.95), got ${level}`);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`a margin needs at least one test item, got ${n}`);
  if (!Number.isInteger(runs) || runs < 1) throw new InputError(`a margin needs at least one training run, got ${runs}`);
  const margin = marginOf(null, null);
  if (Number.isNaN(margin)) throw new InputError('the margin is undefined on the test items as they are; nothing to compare');
  const rng = new Rng(`bootstrap/${options.seed ?? 0}`);
  const items = new Int32Array(n);
  const picks = runs > 1 ? new Int32Array(runs) : null;
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    if (picks) for (let k = 0; k < runs; k++) picks[k] = Math.floor(rng.next() * runs);
    for (let j = 0; j < n; j++) items[j] = Math.floor(rng.next() * n);
    const v = marginOf(items, picks);
    if (!Number.isNaN(v)) values.push(v);
  }
  if (values.length === 0) throw new InputError('no bootstrap resample has a defined margin; evaluate on more test items');
  const { low, high } = percentileInterval(values, level);
  return { margin, low, high, level, resamples, items: n, runs };
}

/** The three answers a margin's interval can give, and "cannot run" for a module that cannot take the features. */
export type Verdict = 'compatible' | 'not compatible' | 'inconclusive' | 'cannot run';

/** compatible: the whole interval above 0; not compatible: the whole interval below 0; else inconclusive. */
export function verdictOfInterval(interval: { low: number; high: number }): Exclude<Verdict, 'cannot run'> {
  if (interval.low > 0) return 'compatible';
  if (interval.high < 0) return 'not compatible';
  return 'inconclusive';
}
