import { describe, expect, it } from 'vitest';
import { accuracy, compatibilityVerdict, crossModelRetrieval, negativeFlips } from '../src/index';

describe('accuracy', () => {
  it('counts matches (3 of 4)', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 2, 0])).toBe(0.75);
  });
  it('is NaN without samples and refuses length mismatches', () => {
    expect(accuracy([], [])).toBeNaN();
    expect(() => accuracy([1], [1, 2])).toThrow(/predictions has 1 entries but labels has 2/);
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

  it('refuses predictions for other samples', () => {
    expect(() => negativeFlips(oldP, newP.slice(1), labels)).toThrow(/new predictions has 9 entries/);
  });
});

describe('compatibility verdict', () => {
  it('BCT criterion holds with its margin and the gap to retraining', () => {
    const v = compatibilityVerdict({ oldOld: 0.6, newOld: 0.7, newNew: 0.8 });
    expect(v.compatible).toBe(true);
    expect(v.margin).toBeCloseTo(0.1, 12);
    expect(v.gapClosed).toBeCloseTo(0.5, 12);
    expect(v.summary).toBe('compatible: +10.0 points over the old system, 50.0% of the way to retraining');
  });

  it('equal is not better: M(new, old) = M(old, old) is not compatible', () => {
    const v = compatibilityVerdict({ oldOld: 0.6, newOld: 0.6 });
    expect(v.compatible).toBe(false);
    expect(v.margin).toBe(0);
    expect(v.gapClosed).toBeNaN();
  });

  it('a worse upgrade has a negative margin', () => {
    const v = compatibilityVerdict({ oldOld: 0.5, newOld: 0.3, newNew: 0.9 });
    expect(v.compatible).toBe(false);
    expect(v.margin).toBeCloseTo(-0.2, 12);
    expect(v.gapClosed).toBeCloseTo(-0.5, 12);
    expect(v.summary).toMatch(/^not compatible: -20.0 points/);
  });

  it('a module that cannot run on the new features is incompatible', () => {
    const v = compatibilityVerdict({ oldOld: 0.5, newOld: undefined, newNew: 0.9 });
    expect(v).toMatchObject({ compatible: false, summary: expect.stringMatching(/cannot be applied/) });
    expect(() => compatibilityVerdict({ oldOld: NaN, newOld: 1 })).toThrow(/M\(old, old\)/);
  });
});

describe('cross-model retrieval', () => {
  // Gallery from the "old" model; queries from a "new" model that is the old one rotated by
  // 90°: raw new queries land on the wrong items, and rotating back restores them.
  const gallery = { features: [[1, 0], [0, 1], [-1, 0]], labels: [0, 1, 2], modelId: 'old' };
  const oldQueries = { features: [[0.9, 0.1], [0.1, 0.9]], labels: [0, 1] };
  const newQueries = { features: [[-0.1, 0.9], [-0.9, 0.1]], labels: [0, 1] };

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

  it('names both dimensions when the models differ in width', async () => {
    await expect(crossModelRetrieval({ features: [[1, 0, 0]], labels: [0], modelId: 'wide' }, gallery)).rejects.toThrow(
      /2-dim features \(model "old"\) but got 3-dim features \(model "wide"\)/,
    );
  });
});
