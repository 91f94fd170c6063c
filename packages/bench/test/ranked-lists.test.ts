import { describe, expect, it } from 'vitest';
import { meanReciprocalRank, recallAtK } from '../src/index';

describe('recallAtK and meanReciprocalRank (hand-worked)', () => {
  // query 0: relevant {a, b}; ranking a x b y -> R@1 = 1/2, R@3 = 2/2, first hit at rank 1
  // query 1: relevant {c};    ranking x y z c -> R@1 = 0, R@3 = 0, first hit at rank 4
  // query 2: relevant {d, e, f}; ranking e f g -> R@1 = 1/3, R@3 = 2/3, first hit at rank 1
  // query 3: relevant {} -> left out of both means
  const rankings = [['a', 'x', 'b', 'y'], ['x', 'y', 'z', 'c'], ['e', 'f', 'g'], ['a']];
  const relevant = [new Set(['a', 'b']), new Set(['c']), new Set(['d', 'e', 'f']), new Set<string>()];

  it('recall is the found fraction of each relevant set, averaged over queries with one', () => {
    expect(recallAtK(rankings, relevant, 1)).toBeCloseTo((1 / 2 + 0 + 1 / 3) / 3, 12);
    expect(recallAtK(rankings, relevant, 3)).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
    expect(recallAtK(rankings, relevant, 10)).toBeCloseTo((1 + 1 + 2 / 3) / 3, 12);
  });

  it('MRR is the mean of 1 / first relevant rank, 0 beyond the cutoff', () => {
    expect(meanReciprocalRank(rankings, relevant)).toBeCloseTo((1 + 1 / 4 + 1) / 3, 12);
    expect(meanReciprocalRank(rankings, relevant, 3)).toBeCloseTo((1 + 0 + 1) / 3, 12);
  });

  it('counts a repeated id once and works on numeric ids', () => {
    expect(recallAtK([[1, 1, 2]], [new Set([1, 3])], 3)).toBe(0.5);
    expect(meanReciprocalRank([[5, 6, 7]], [new Set([7])])).toBeCloseTo(1 / 3, 12);
  });

  it('refuses mismatched inputs and bad k', () => {
    expect(() => recallAtK([['a']], [], 1)).toThrow(/1 ranked lists but 0 relevant sets/);
    expect(() => recallAtK([['a']], [new Set(['a'])], 0)).toThrow(/k must be a positive integer/);
    expect(recallAtK([], [], 5)).toBeNaN();
  });
});
