import { describe, expect, it } from 'vitest';
import { sampleTestIndices, SamplingError, stratifiedCounts } from '../src/index';

/** A split stored by class, as MNIST's test split is: 0 0 0 … 1 1 … with the given class sizes. */
function sortedLabels(sizes: number[]): Int32Array {
  return Int32Array.from(sizes.flatMap((n, c) => Array.from({ length: n }, () => c)));
}

function perClass(labels: Int32Array, idx: Int32Array, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const i of idx) out[labels[i]!]!++;
  return out;
}

describe('stratifiedCounts', () => {
  it('gives every class an equal share and the remainder in proportion to what classes have left (hand-worked)', () => {
    expect(stratifiedCounts([100, 100, 100], 30)).toEqual([10, 10, 10]);
    // 31 = 3 × 10 + 1: the one extra goes to the class with the most items left (class 1: 190 of 370).
    expect(stratifiedCounts([100, 200, 100], 31)).toEqual([10, 11, 10]);
    // A class smaller than its share gives everything; its deficit is shared by the others: 2 + 14 + 14.
    expect(stratifiedCounts([2, 50, 50], 30)).toEqual([2, 14, 14]);
    // Remainder 2 over three equal classes: largest remainders tie, lower classes first.
    expect(stratifiedCounts([10, 10, 10], 5)).toEqual([2, 2, 1]);
    expect(stratifiedCounts([3, 0, 4], 7)).toEqual([3, 0, 4]);
  });

  it('refuses a sample it cannot draw, saying the most it can', () => {
    expect(() => stratifiedCounts([3, 4], 8)).toThrow(SamplingError);
    expect(() => stratifiedCounts([3, 4], 8)).toThrow(/cannot sample 8 items from 7; ask for at most 7/);
    expect(() => stratifiedCounts([3, 4], -1)).toThrow(/whole number >= 0/);
    expect(() => stratifiedCounts([3, 4], 1.5)).toThrow(/whole number >= 0/);
  });
});

describe('sampleTestIndices', () => {
  const labels = sortedLabels([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]); // MNIST's test split

  it('takes an exact equal share of every class from a split ordered by class (the first 500 would be digits 0–2 only)', () => {
    const idx = sampleTestIndices(labels, 500, 1);
    expect(idx).toHaveLength(500);
    expect(perClass(labels, idx, 10)).toEqual(new Array(10).fill(50));
    expect(
      perClass(
        labels,
        Int32Array.from({ length: 500 }, (_, i) => i),
        10,
      ).filter((n) => n > 0),
    ).toHaveLength(1); // what "first N" gave
  });

  it('has no duplicates, stays in range and keeps the split order', () => {
    const idx = sampleTestIndices(labels, 2003, 7);
    expect(new Set(idx).size).toBe(2003);
    expect(idx.every((i, k) => i >= 0 && i < labels.length && (k === 0 || i > idx[k - 1]!))).toBe(true);
    const counts = perClass(labels, idx, 10);
    expect(Math.max(...counts) - Math.min(...counts)).toBe(1); // 200 each, 3 extra to the largest classes
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2003);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(sampleTestIndices(labels, 300, 'mnist')).toEqual(sampleTestIndices(labels, 300, 'mnist'));
    expect(sampleTestIndices(labels, 300, 1)).not.toEqual(sampleTestIndices(labels, 300, 2));
  });

  it('returns every index when asked for the whole split, and refuses bad labels', () => {
    const small = Int32Array.from([2, 0, 1, 0, 2]);
    expect([...sampleTestIndices(small, 5)]).toEqual([0, 1, 2, 3, 4]);
    expect(perClass(small, sampleTestIndices(small, 3), 3)).toEqual([1, 1, 1]);
    expect(() => sampleTestIndices([0, -1], 1)).toThrow(/label 1 is -1/);
    expect(() => sampleTestIndices(small, 6)).toThrow(/at most 5/);
  });
});
