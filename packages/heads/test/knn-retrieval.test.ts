import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@hotplug/runtime';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  averagePrecisionFromRanks,
  createHead,
  relevantRanks,
  DimensionMismatchError,
  featureMatrix,
  KnnHead,
  loadHead,
  RetrievalIndex,
} from '../src/index';

// A hand-worked gallery on the unit circle: cosines with the query (1, 0) are
// 1, 0.8, 0.6, 0, -1 and with (0, 1) they are 0, 0.6, 0.8, 1, 0.
const gallery = [
  [1, 0],
  [0.8, 0.6],
  [0.6, 0.8],
  [0, 1],
  [-1, 0],
];
const galleryLabels = [0, 1, 1, 0, 2];

describe('kNN head (hand-worked)', () => {
  const q = [[2, 0]]; // scale does not matter: cosine

  it('uniform votes: k=3 sees one 0 and two 1s', async () => {
    const head = createHead('knn', { k: 3 });
    await head.fit(gallery, galleryLabels);
    const s = head.scores(q).data;
    expect(Array.from(s)).toEqual([expect.closeTo(1 / 3, 6), expect.closeTo(2 / 3, 6), 0]);
    expect(Array.from(head.predict(q))).toEqual([1]);
  });

  it('similarity votes: 1.0 for class 0 against 0.8 + 0.6 for class 1', async () => {
    const head = createHead('knn', { k: 3, weighting: 'similarity' });
    await head.fit(gallery, galleryLabels);
    const s = head.scores(q).data;
    expect(s[0]).toBeCloseTo(1 / 2.4, 6);
    expect(s[1]).toBeCloseTo(1.4 / 2.4, 6);
  });

  it('similarity votes fall back to one vote each when no neighbour has a positive cosine', async () => {
    const head = createHead('knn', { k: 2, weighting: 'similarity' });
    await head.fit(
      [
        [1, 0],
        [0, 1],
        [0.6, 0.8],
      ],
      [0, 1, 1],
    );
    // (-1, -1) has cosines -0.71, -0.71, -0.99 with the gallery: the two nearest vote 1 each.
    expect(Array.from(head.scores([[-1, -1]]).data)).toEqual([0.5, 0.5]);
  });

  it('softmax votes at temperature 0.1: e^0 against e^-2 + e^-4 flips the answer to class 0', async () => {
    const head = createHead('knn', { k: 3, weighting: 'softmax', temperature: 0.1 });
    await head.fit(gallery, galleryLabels);
    const w1 = Math.exp(-2) + Math.exp(-4);
    expect(head.scores(q).data[0]).toBeCloseTo(1 / (1 + w1), 5);
    expect(Array.from(head.predict(q))).toEqual([0]);
  });

  it('k=1 is the nearest neighbour; save/load keeps everything', async () => {
    const head = new KnnHead({ k: 1 });
    await head.fit(featureMatrix(Float32Array.from(gallery.flat()), 5, 2, 'old'), galleryLabels);
    expect(
      Array.from(
        head.predict([
          [0.1, 1],
          [-3, 0.2],
        ]),
      ),
    ).toEqual([0, 2]);
    const dir = join(mkdtempSync(join(tmpdir(), 'heads-knn-')), 'h');
    head.save(dir);
    const loaded = loadHead(dir);
    expect(loaded.info).toEqual({ kind: 'knn', dim: 2, numClasses: 3, normalize: true, modelId: 'old' });
    expect(
      Array.from(
        loaded.predict([
          [0.1, 1],
          [-3, 0.2],
        ]),
      ),
    ).toEqual([0, 2]);
    expect(() => loaded.predict([[1, 2, 3]])).toThrow(DimensionMismatchError);
  });

  it('rejects bad options and leaves no tensors behind', async () => {
    expect(() => createHead('knn', { weighting: 'max' as 'uniform' })).toThrow(/unknown kNN weighting "max"/);
    expect(() => createHead('knn', { k: 0 })).toThrow(/option k/);
    const head = createHead('knn', { k: 2 });
    await head.fit(gallery, galleryLabels);
    const before = tf.memory().numTensors;
    head.predict(gallery);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('retrieval index (hand-worked)', () => {
  const index = new RetrievalIndex({ modelId: 'old' });
  index.add(gallery.slice(0, 2), galleryLabels.slice(0, 2), ['a', 'b']);
  index.add(gallery.slice(2), galleryLabels.slice(2), ['c', 'd', 'e']);

  it('searches by cosine, best first, with ids and labels', async () => {
    const [hits] = await index.search([[1, 0]], 3);
    expect(hits!.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(hits!.map((h) => h.score)).toEqual([expect.closeTo(1, 6), expect.closeTo(0.8, 6), expect.closeTo(0.6, 6)]);
    expect(hits!.map((h) => h.label)).toEqual([0, 1, 1]);
  });

  it('computes top-k and mAP as worked by hand', async () => {
    // (1,0) label 1: ranks 0 1 1 0 2 -> AP = (1/2 + 2/3) / 2 = 7/12, top-1 miss.
    // (0,1) label 0: ranks 0 1 1 then a tie at cos 0 between items 0 and 4, lower index first:
    //   0 1 1 0 2 -> AP = (1/1 + 2/4) / 2 = 0.75, top-1 hit.
    // (-1,0) label 2: item 4 first -> AP 1, top-1 hit.
    // label 5 has no relevant item: a miss for top-k, left out of mAP.
    const r = await index.evaluate(
      [
        [1, 0],
        [0, 1],
        [-1, 0],
        [1, 1],
      ],
      [1, 0, 2, 5],
      [1, 5],
    );
    expect(r.topK[1]).toBeCloseTo(2 / 4, 10);
    expect(r.topK[5]).toBeCloseTo(3 / 4, 10);
    expect(r.mAP).toBeCloseTo((7 / 12 + 0.75 + 1) / 3, 6);
    expect(r.queries).toBe(4);
    expect(r.queriesWithoutRelevant).toBe(1);
  });

  it('averagePrecision follows the definition', () => {
    expect(averagePrecision([true, false, true])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(averagePrecision([false, false])).toBeNaN();
  });

  it('places relevant items exactly where a full sort would, ties included', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      // Scores on a coarse grid so that many are tied.
      const scores = Float32Array.from({ length: 60 }, () => Math.round(rng.next() * 8) / 8);
      const rel = Array.from({ length: 60 }, () => rng.next() < 0.3);
      const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b);
      const expected = order.flatMap((j, pos) => (rel[j] ? [pos + 1] : []));
      const ranks = relevantRanks(scores, (j) => rel[j]!);
      expect(Array.from(ranks)).toEqual(expected);
      expect(averagePrecisionFromRanks(ranks)).toBeCloseTo(averagePrecision(order.map((j) => rel[j]!)), 12);
    }
  });

  it('agrees with an independent float64 reference on random data', async () => {
    const rng = new Rng(5);
    const dim = 6;
    const g = Array.from({ length: 40 }, () => Array.from({ length: dim }, () => rng.normal()));
    const gl = g.map(() => rng.int(4));
    const q = Array.from({ length: 15 }, () => Array.from({ length: dim }, () => rng.normal()));
    const ql = q.map(() => rng.int(4));
    const idx = new RetrievalIndex();
    idx.add(g, gl);
    const r = await idx.evaluate(q, ql, [1, 5]);
    // Reference: AP as the sum over ranks of precision × change in recall.
    const norm = (v: number[]) => Math.hypot(...v);
    let apSum = 0;
    let top5 = 0;
    q.forEach((qq, i) => {
      const sims = g.map((gg, j) => ({ j, s: gg.reduce((a, v, d) => a + v * qq[d]!, 0) / (norm(gg) * norm(qq)) }));
      sims.sort((a, b) => b.s - a.s);
      const rel = sims.map(({ j }) => gl[j] === ql[i]);
      const total = rel.filter(Boolean).length;
      let seen = 0;
      let ap = 0;
      rel.forEach((isRel, k) => {
        if (isRel) {
          seen++;
          ap += (seen / (k + 1)) * (1 / total);
        }
      });
      apSum += ap;
      if (rel.slice(0, 5).some(Boolean)) top5++;
    });
    expect(r.mAP).toBeCloseTo(apSum / q.length, 5);
    expect(r.topK[5]).toBeCloseTo(top5 / q.length, 10);
  });

  it('refuses queries of another dimension and other-dimension additions', async () => {
    await expect(index.search([[1, 0, 0]], 1)).rejects.toThrow(/2-dim features \(model "old"\) but got 3-dim/);
    expect(() => index.add([[1, 0, 0]], [0])).toThrow(DimensionMismatchError);
    await expect(new RetrievalIndex().search([[1, 0]], 1)).rejects.toThrow(/empty/);
  });

  it('saves and loads, and detects a corrupt weights file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'heads-index-')), 'idx');
    index.save(dir);
    const loaded = RetrievalIndex.load(dir);
    expect(loaded.size).toBe(5);
    expect(loaded.modelId).toBe('old');
    expect(await loaded.search([[0, 1]], 2)).toEqual(await index.search([[0, 1]], 2));
    const bytes = readFileSync(join(dir, 'weights.bin'));
    bytes[3] = bytes[3]! ^ 0xff;
    writeFileSync(join(dir, 'weights.bin'), bytes);
    expect(() => RetrievalIndex.load(dir)).toThrow(/weights.bin is corrupt: sha256/);
    rmSync(join(dir, 'weights.bin'));
    expect(() => RetrievalIndex.load(dir)).toThrow(/weights.bin is missing/);
    expect(() => loadHead(join(dir, 'nowhere'))).toThrow(/no saved head.*head.json is missing/);
  });
});
