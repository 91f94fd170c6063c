import { describe, expect, it } from 'vitest';
import { RetrievalIndex, featureMatrix } from '@hotplug/heads';
import { Rng } from '@hotplug/runtime';
import { accuracy, compatibilityVerdict, correctness, crossModelRetrieval, EmptyEvaluationError, negativeFlips } from '../src/index';

describe('accuracy', () => {
  it('counts matches (3 of 4)', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 2, 0])).toBe(0.75);
  });
  it('throws a named error without samples (not NaN) and refuses length mismatches', () => {
    expect(() => accuracy([], [])).toThrow(EmptyEvaluationError);
    expect(() => accuracy([], [])).toThrow(/0 samples is undefined: evaluate on at least one test image/);
    expect(() => accuracy([1], [1, 2])).toThrow(/predictions has 1 entries but labels has 2/);
  });
  it('per-sample correctness is what the accuracy averages', () => {
    expect([...correctness([0, 1, 2, 2], [0, 1, 2, 0])]).toEqual([1, 1, 1, 0]);
  });
});

describe('negative flips', () => {
  // labels      0 1 2 3 4 5 6 7 8 9
  // old right:  y y y y y y n n n y   (7 right)
  // new right:  y n y y n y y n y y   (sample 1 and 4 flipped negative; 6 and 8 positive)
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const oldP = [0, 1, 2, 3, 4, 5, 0, 0, 0, 9];
  const newP = [0, 0, 2, 3, 0, 5, 6, 0, 8, 9];

  it('matches the hand count', () => {
    expect(negativeFlips(oldP, newP, labels)).toEqual({
      samples: 10,
      oldCorrect: 7,
      negativeFlips: 2,
      positiveFlips: 2,
      negativeFlipRate: 0.2,
      relativeNegativeFlipRate: 2 / 7,
    });
  });

  it('is zero when nothing changes, even with the same mistakes', () => {
    expect(negativeFlips(oldP, oldP, labels).negativeFlipRate).toBe(0);
  });

  it('refuses predictions for other samples, and no samples at all', () => {
    expect(() => negativeFlips(oldP, newP.slice(1), labels)).toThrow(/new predictions has 9 entries/);
    expect(() => negativeFlips([], [], [])).toThrow(EmptyEvaluationError);
  });
});

describe('compatibility verdict', () => {
  it('reads the verdict from the interval, with the margin and the gap to retraining', () => {
    const v = compatibilityVerdict({ oldOld: 0.6, newOld: 0.7, newNew: 0.8, interval: { low: 0.02, high: 0.18, level: 0.95 } });
    expect(v).toMatchObject({ verdict: 'compatible', compatible: true, interval: { low: 0.02, high: 0.18, level: 0.95 } });
    expect(v.margin).toBeCloseTo(0.1, 12);
    expect(v.gapClosed).toBeCloseTo(0.5, 12);
    expect(v.summary).toBe('compatible: +10.0 points against the old system (95% CI +2.0 to +18.0), 50.0% of the way to retraining');
  });

  it('a positive margin whose interval holds 0 is inconclusive, not compatible', () => {
    const v = compatibilityVerdict({ oldOld: 0.6, newOld: 0.603, interval: { low: -0.02, high: 0.026, level: 0.95 } });
    expect(v.verdict).toBe('inconclusive');
    expect(v.compatible).toBe(false);
  });

  it('an interval below 0 is not compatible; no interval is no verdict', () => {
    const v = compatibilityVerdict({ oldOld: 0.5, newOld: 0.3, newNew: 0.9, interval: { low: -0.25, high: -0.15, level: 0.95 } });
    expect(v.verdict).toBe('not compatible');
    expect(v.margin).toBeCloseTo(-0.2, 12);
    expect(v.gapClosed).toBeCloseTo(-0.5, 12);
    expect(v.summary).toMatch(/^not compatible: -20.0 points/);
    expect(compatibilityVerdict({ oldOld: 0.5, newOld: 0.9 })).toMatchObject({
      verdict: 'inconclusive',
      summary: expect.stringMatching(/no confidence interval/),
    });
  });

  it('a module that cannot run on the new features says so', () => {
    const v = compatibilityVerdict({ oldOld: 0.5, newOld: undefined, newNew: 0.9 });
    expect(v).toMatchObject({ verdict: 'cannot run', compatible: false, summary: expect.stringMatching(/cannot be applied/) });
    expect(() => compatibilityVerdict({ oldOld: NaN, newOld: 1 })).toThrow(/M\(old, old\)/);
  });
});

describe('cross-model retrieval', () => {
  // Gallery from the "old" model; queries from a "new" model that is the old one rotated by
  // 90°: raw new queries land on the wrong items, and rotating back restores them.
  const gallery = {
    features: [
      [1, 0],
      [0, 1],
      [-1, 0],
    ],
    labels: [0, 1, 2],
    modelId: 'old',
  };
  const oldQueries = {
    features: [
      [0.9, 0.1],
      [0.1, 0.9],
    ],
    labels: [0, 1],
  };
  const newQueries = {
    features: [
      [-0.1, 0.9],
      [-0.9, 0.1],
    ],
    labels: [0, 1],
  };

  it('M(old, old): both top-1 right, mAP 1', async () => {
    const r = await crossModelRetrieval(oldQueries, gallery, [1]);
    expect(r.topK[1]).toBe(1);
    expect(r.mAP).toBe(1);
  });

  it('M(new, old): query 0 ranks its item 3rd (AP 1/3), query 1 ranks it 2nd (AP 1/2)', async () => {
    const r = await crossModelRetrieval(newQueries, gallery, [1, 2]);
    expect(r.topK[1]).toBe(0);
    expect(r.topK[2]).toBe(0.5);
    expect(r.mAP).toBeCloseTo((1 / 3 + 1 / 2) / 2, 6);
  });

  it('per-query figures: query 0 misses at top-1 with AP 1/3, query 1 with AP 1/2', async () => {
    const r = await crossModelRetrieval(newQueries, gallery, [1, 2]);
    expect([...r.perQuery.topK[1]!]).toEqual([0, 0]);
    expect([...r.perQuery.topK[2]!]).toEqual([0, 1]);
    expect(r.perQuery.ap[0]).toBeCloseTo(1 / 3, 6);
    expect(r.perQuery.ap[1]).toBeCloseTo(1 / 2, 6);
  });

  it("agrees with @hotplug/heads' RetrievalIndex on random embeddings (an independent implementation)", async () => {
    const rng = new Rng(5);
    const rand = (rows: number, dim: number) =>
      featureMatrix(
        Float32Array.from({ length: rows * dim }, () => rng.normal()),
        rows,
        dim,
      );
    const g = { features: rand(60, 6), labels: Int32Array.from({ length: 60 }, (_, i) => i % 7) };
    // Label 9 is not in the gallery: no AP for those queries, a miss in top-k.
    const q = { features: rand(25, 6), labels: Int32Array.from({ length: 25 }, (_, i) => (i === 3 ? 9 : i % 7)) };
    const index = new RetrievalIndex();
    index.add(g.features, g.labels);
    const want = await index.evaluate(q.features, q.labels, [1, 5]);
    const got = await crossModelRetrieval(q, g, [1, 5]);
    expect(got.topK).toEqual(want.topK);
    expect(got.mAP).toBeCloseTo(want.mAP, 6);
    expect(got.queriesWithoutRelevant).toBe(1);
    expect(got.perQuery.ap[3]).toBeNaN();
    expect(got.perQuery.topK[5]!.reduce((a, b) => a + b, 0) / 25).toBe(want.topK[5]);
  });

  it('names both dimensions when the models differ in width', async () => {
    await expect(crossModelRetrieval({ features: [[1, 0, 0]], labels: [0], modelId: 'wide' }, gallery)).rejects.toThrow(
      /2-dim features \(model "old"\) but got 3-dim features \(model "wide"\)/,
    );
  });
});
