import { describe, expect, it } from 'vitest';
import { compatibilityVerdict, marginInterval, verdictOfInterval, type PairedItems } from '../src/index';

/**
 * The exact bootstrap distribution, by enumeration (an independent implementation for tiny
 * inputs): every way of drawing S runs and n items with replacement is equally likely; the
 * statistic is the mean over drawn runs of the mean drawn item difference. Bounds follow
 * the percentile rule of marginInterval in the limit of infinitely many resamples: the
 * lower is the smallest value v with P(X ≤ v) > α/2, the upper the smallest with P(X ≤ v) ≥ 1 − α/2.
 */
function exactInterval(runs: PairedItems[], level = 0.95): { low: number; high: number } {
  const S = runs.length;
  const n = runs[0]!.old.length;
  const d = runs.map((r) => Array.from({ length: n }, (_, i) => r.upgraded[i]! - r.old[i]!));
  const values: number[] = [];
  const tuples = (size: number, length: number): number[][] =>
    length === 0 ? [[]] : tuples(size, length - 1).flatMap((t) => Array.from({ length: size }, (_, v) => [...t, v]));
  const runPicks = S > 1 ? tuples(S, S) : [[0]];
  for (const picks of runPicks) {
    for (const items of tuples(n, n)) {
      values.push(picks.reduce((s, k) => s + items.reduce((a, i) => a + d[k]![i]!, 0) / n, 0) / picks.length);
    }
  }
  values.sort((a, b) => a - b);
  const alpha = 1 - level;
  const cdfAbove = (p: number, strict: boolean) => {
    for (let j = 0; j < values.length; j++) {
      // Only where the value changes: P(X ≤ values[j]) counts all copies of it.
      if (j + 1 < values.length && values[j + 1] === values[j]) continue;
      const cdf = (j + 1) / values.length;
      if (strict ? cdf > p : cdf >= p - 1e-12) return values[j]!;
    }
    return values[values.length - 1]!;
  };
  return { low: cdfAbove(alpha / 2, true), high: cdfAbove(1 - alpha / 2, false) };
}

const run = (old: number[], upgraded: number[]): PairedItems => ({ old, upgraded });

describe('paired bootstrap verdicts (hand-worked)', () => {
  // Four test items; the upgrade fixes items 0–2 and both get item 3 right: differences 1 1 1 0.
  // Resample means are k/4 with k ~ Binomial(4, 3/4): P(0) = 1/256 ≈ 0.004, P(≤ 1/4) = 13/256
  // ≈ 0.051, P(< 1) = 175/256 ≈ 0.68. So the 2.5 % point is 1/4 and the 97.5 % point is 1:
  // the 95 % interval is [0.25, 1], entirely above 0 — compatible.
  const better = run([0, 0, 0, 1], [1, 1, 1, 1]);

  it('an upgrade that fixes three items of four and breaks none: +75 points, CI [+25, +100], compatible', () => {
    const ci = marginInterval([better]);
    expect(ci).toMatchObject({ margin: 0.75, low: 0.25, high: 1, level: 0.95, resamples: 1000, items: 4, runs: 1 });
    expect(exactInterval([better])).toEqual({ low: 0.25, high: 1 });
    const v = compatibilityVerdict({ oldOld: 0.25, newOld: 1, interval: ci });
    expect(v.verdict).toBe('compatible');
    expect(v.compatible).toBe(true);
    expect(v.summary).toBe('compatible: +75.0 points against the old system (95% CI +25.0 to +100.0)');
  });

  it('the mirror image is not compatible: CI [−100, −25]', () => {
    const worse = run([1, 1, 1, 1], [0, 0, 0, 1]);
    const ci = marginInterval([worse]);
    expect([ci.margin, ci.low, ci.high]).toEqual([-0.75, -1, -0.25]);
    expect(verdictOfInterval(ci)).toBe('not compatible');
  });

  it('one item fixed and one broken is inconclusive (the interval holds 0); so is no change at all', () => {
    const ci = marginInterval([run([1, 0, 1, 0], [0, 1, 1, 0])]);
    expect(ci.margin).toBe(0);
    expect(ci.low).toBeLessThan(0);
    expect(ci.high).toBeGreaterThan(0);
    expect(verdictOfInterval(ci)).toBe('inconclusive');
    const same = marginInterval([run([1, 0, 1], [1, 0, 1])]);
    expect([same.low, same.high]).toEqual([0, 0]);
    expect(verdictOfInterval(same)).toBe('inconclusive'); // equal is not better
  });

  it('a +0.3-point margin on 2,000 items with many flips both ways is inconclusive', () => {
    // 300 items fixed, 294 broken: margin +0.3 points, standard error about 1.2 points.
    const old = Array.from({ length: 2000 }, (_, i) => (i < 300 ? 0 : i < 594 ? 1 : i % 2));
    const upgraded = old.map((v, i) => (i < 300 ? 1 : i < 594 ? 0 : v));
    const ci = marginInterval([run(old, upgraded)]);
    expect(ci.margin).toBeCloseTo(0.003, 12);
    expect(verdictOfInterval(ci)).toBe('inconclusive');
    expect(ci.high - ci.low).toBeGreaterThan(0.03);
  });

  it('matches the exact bootstrap distribution (enumerated) within one step of its grid', () => {
    const cases = [run([0, 1, 0, 1, 1], [1, 1, 0, 0, 1]), run([0, 0, 1, 0, 1], [1, 1, 1, 0, 0]), run([1, 0, 0, 0, 0], [1, 1, 1, 0, 1])];
    for (const c of cases) {
      const exact = exactInterval([c]);
      const mc = marginInterval([c], { resamples: 20_000, seed: 3 });
      expect(Math.abs(mc.low - exact.low)).toBeLessThanOrEqual(0.2 + 1e-12); // grid step 1/5
      expect(Math.abs(mc.high - exact.high)).toBeLessThanOrEqual(0.2 + 1e-12);
      expect(verdictOfInterval(mc)).toBe(verdictOfInterval(exact));
    }
  });
});

describe('training seeds in the interval (two-level bootstrap)', () => {
  // Seed A's module gains on every item, seed B's loses one item: the mean margin is
  // (1 − 0.25) / 2 = +0.375. Averaging the two seeds per item first would hide the spread
  // (differences 0, .5, .5, .5: every resample ≥ 0, 2.5 % point 0.125 — "compatible"); the
  // two-level bootstrap draws seed B twice with probability 1/4, whose margins are ≤ 0, so
  // the interval reaches 0: inconclusive.
  const a = run([0, 0, 0, 0], [1, 1, 1, 1]);
  const b = run([1, 0, 0, 0], [0, 0, 0, 0]);

  it('puts the spread between seeds into the interval', () => {
    const pooled = marginInterval([a, b], { resamples: 4000 });
    expect(pooled.margin).toBeCloseTo(0.375, 12);
    expect(pooled.runs).toBe(2);
    const exact = exactInterval([a, b]);
    expect(exact.low).toBeLessThanOrEqual(0);
    expect(Math.abs(pooled.low - exact.low)).toBeLessThanOrEqual(0.125 + 1e-12);
    expect(Math.abs(pooled.high - exact.high)).toBeLessThanOrEqual(0.125 + 1e-12);
    expect(verdictOfInterval(pooled)).toBe('inconclusive');

    const averaged = run([0.5, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]);
    expect(exactInterval([averaged]).low).toBe(0.125);
    expect(verdictOfInterval(marginInterval([averaged]))).toBe('compatible');
  });

  it('is deterministic for a seed; resamples and level are options', () => {
    const x = marginInterval([a, b], { seed: 11 });
    expect(marginInterval([a, b], { seed: 11 })).toEqual(x);
    expect(marginInterval([a, b], { resamples: 50, level: 0.5 })).toMatchObject({ resamples: 50, level: 0.5 });
    const narrow = marginInterval([better()], { level: 0.5 });
    const wide = marginInterval([better()], { level: 0.99 });
    expect(narrow.high - narrow.low).toBeLessThanOrEqual(wide.high - wide.low);
  });

  it('leaves items without a value (NaN, e.g. a query with nothing relevant) out of the pairing', () => {
    const ci = marginInterval([run([NaN, 0, 0], [NaN, 1, 1])]);
    expect([ci.margin, ci.low, ci.high, ci.items]).toEqual([1, 1, 1, 2]);
  });

  it('refuses inputs it cannot pair, saying what is wrong', () => {
    expect(() => marginInterval([])).toThrow(/at least one run/);
    expect(() => marginInterval([run([], [])])).toThrow(/at least one test item/);
    expect(() => marginInterval([a, run([1], [1])])).toThrow(/run 1 has 1 old and 1 upgraded items, run 0 has 4/);
    expect(() => marginInterval([a], { resamples: 0 })).toThrow(/resamples must be a whole number >= 1/);
    expect(() => marginInterval([a], { level: 95 })).toThrow(/between 0 and 1/);
  });
});

function better(): PairedItems {
  return run([0, 0, 0, 1], [1, 1, 1, 1]);
}
