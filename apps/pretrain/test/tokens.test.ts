import { describe, expect, it } from 'vitest';
import { Rng } from '@hotplug/runtime';
import { linearMapR2, meanRowCosine, tokenCounts, usedTokens, type TokenTable } from '../src/tokens';

const random = (rows: number, dim: number, seed: number): TokenTable => {
  const rng = new Rng(seed);
  return { data: Float32Array.from({ length: rows * dim }, () => rng.normal()), rows, dim };
};

describe('token-table statistics', () => {
  it('counts tokens without the padding id and lists the used ones', () => {
    const counts = tokenCounts(Int32Array.of(3, 1, 3, 0, 0, 2), 5);
    expect(Array.from(counts)).toEqual([0, 1, 1, 2, 0]);
    expect(Array.from(usedTokens(counts))).toEqual([1, 2, 3]);
  });

  it('mean row cosine matches a hand-worked example', () => {
    const a = { data: Float32Array.of(1, 0, 0, 1, 3, 4), rows: 3, dim: 2 };
    const b = { data: Float32Array.of(1, 0, 1, 0, -3, -4), rows: 3, dim: 2 };
    // rows: cos = 1, 0, -1
    expect(meanRowCosine(a, b, [0, 1, 2])).toBeCloseTo(0, 6);
    expect(meanRowCosine(a, b, [0, 1])).toBeCloseTo(0.5, 6);
  });

  it('held-out R² is ~1 for an exact affine image and ~0 for an unrelated table', () => {
    const x = random(400, 8, 1);
    const rng = new Rng(2);
    const a = Float32Array.from({ length: 8 * 12 }, () => rng.normal());
    const y = { data: new Float32Array(400 * 12), rows: 400, dim: 12 };
    for (let r = 0; r < 400; r++)
      for (let c = 0; c < 12; c++) {
        let s = 0.5 * c;
        for (let k = 0; k < 8; k++) s += x.data[r * 8 + k]! * a[k * 12 + c]!;
        y.data[r * 12 + c] = s;
      }
    const rows = Array.from({ length: 400 }, (_, i) => i);
    expect(linearMapR2(x, y, rows)).toBeGreaterThan(0.999);
    const unrelated = linearMapR2(x, random(400, 12, 3), rows);
    expect(Math.abs(unrelated)).toBeLessThan(0.1);
  });
});
