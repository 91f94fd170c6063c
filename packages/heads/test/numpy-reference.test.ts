import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHead, RetrievalIndex } from '../src/index';

// Fixtures written by tools/make-fixtures.py: a head file produced by numpy from the
// documented format, and float64 numpy results for the same computations.
const fixtures = join(__dirname, 'fixtures');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  head: { inputs: number[][]; probabilities: number[][] };
  retrieval: {
    gallery: number[][];
    galleryLabels: number[];
    queries: number[][];
    queryLabels: number[];
    top1: number;
    top5: number;
    mAP: number;
    queriesWithoutRelevant: number;
  };
};

describe('against numpy', () => {
  it("loads a head written by another program and gives numpy's probabilities", () => {
    const head = loadHead(join(fixtures, 'mlp-head'));
    expect(head.info).toEqual({ kind: 'mlp', dim: 6, numClasses: 3, normalize: true, modelId: 'numpy-fixture' });
    const scores = head.scores(expected.head.inputs);
    expected.head.probabilities.forEach((row, i) => {
      row.forEach((p, c) => {
        expect(scores.data[i * 3 + c]).toBeCloseTo(p, 5);
      });
    });
  });

  it("computes numpy's retrieval top-k and mAP", async () => {
    const r = expected.retrieval;
    const index = new RetrievalIndex();
    index.add(r.gallery, r.galleryLabels);
    const got = await index.evaluate(r.queries, r.queryLabels, [1, 5]);
    expect(got.topK[1]).toBeCloseTo(r.top1, 12);
    expect(got.topK[5]).toBeCloseTo(r.top5, 12);
    expect(got.mAP).toBeCloseTo(r.mAP, 6);
    expect(got.queriesWithoutRelevant).toBe(r.queriesWithoutRelevant);
  });
});
