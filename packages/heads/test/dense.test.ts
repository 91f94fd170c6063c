import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meanSoftmaxCrossEntropy } from '../src/backend';
import { createHead, DimensionMismatchError, loadHead, toFeatureMatrix } from '../src/index';
import { accuracy, clusters, xorSet } from './synthetic';

describe('softmax cross-entropy', () => {
  const logits = [
    [0.5, -1.2, 2.0],
    [3.0, 0.1, -0.4],
  ];
  const labels = [2, 1];

  // Reference in float64: -mean(logit[y] - logsumexp(logits)).
  function reference(l: number[][]): number {
    let total = 0;
    l.forEach((row, i) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      total += lse - row[labels[i]!]!;
    });
    return total / l.length;
  }

  it('matches a float64 reference', () => {
    const loss = tf.tidy(() => meanSoftmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')).dataSync()[0]!);
    expect(loss).toBeCloseTo(reference(logits), 5);
  });

  it('has gradients equal to central finite differences', () => {
    const grad = tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => meanSoftmaxCrossEntropy(x as tf.Tensor2D, tf.tensor1d(labels, 'int32')));
      return Array.from(g(tf.tensor2d(logits)).dataSync());
    });
    const h = 1e-4;
    grad.forEach((g, k) => {
      const plus = logits.map((r) => [...r]);
      const minus = logits.map((r) => [...r]);
      plus[Math.floor(k / 3)]![k % 3]! += h;
      minus[Math.floor(k / 3)]![k % 3]! -= h;
      expect(g).toBeCloseTo((reference(plus) - reference(minus)) / (2 * h), 4);
    });
  });
});

describe('linear head', () => {
  const train = clusters({ classes: 4, perClass: 40, dim: 16, noise: 0.6, seed: 1, modelId: 'old' });
  const test = clusters({ classes: 4, perClass: 20, dim: 16, noise: 0.6, seed: 1 });

  it('learns separable clusters and its loss falls', async () => {
    const head = createHead('linear', { epochs: 20, seed: 3 });
    const report = await head.fit(train.x, train.y);
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]! * 0.5);
    // Same centres (same seed) with fresh noise: a held-out set of the same classes.
    expect(accuracy(head.predict(test.x), test.y)).toBeGreaterThan(0.95);
    expect(head.info).toMatchObject({ kind: 'linear', dim: 16, numClasses: 4, modelId: 'old', normalize: true });
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const fitScores = async (seed: number) => {
      const h = createHead('linear', { epochs: 3, seed });
      await h.fit(train.x, train.y);
      return h.scores(test.x).data;
    };
    const a = await fitScores(7);
    expect(await fitScores(7)).toEqual(a);
    expect(await fitScores(8)).not.toEqual(a);
  });

  it('leaves no tensors behind after fit and inference', async () => {
    const head = createHead('linear', { epochs: 2 });
    await head.fit(train.x, train.y);
    head.scores(test.x);
    const before = tf.memory().numTensors;
    await head.fit(train.x, train.y);
    head.scores(test.x);
    head.predict(tf.tidy(() => tf.tensor2d(test.x.data, [test.x.rows, 16])));
    expect(tf.memory().numTensors).toBe(before + 1); // only the tensor this test created
  });

  it('refuses features of another dimension, naming both and the fix', async () => {
    const head = createHead('linear', { epochs: 1 });
    await head.fit(train.x, train.y);
    const other = clusters({ classes: 4, perClass: 2, dim: 24, noise: 0.1, seed: 2, modelId: 'new' });
    expect(() => head.predict(other.x)).toThrow(DimensionMismatchError);
    expect(() => head.predict(other.x)).toThrow(/16-dim features \(model "old"\) but got 24-dim features \(model "new"\).*adapter/);
  });

  it('explains misuse', async () => {
    expect(() => createHead('linear').predict(train.x)).toThrow(/not fitted/);
    expect(() => createHead('linear', { epochs: 0 })).toThrow(/epochs must be a positive integer/);
    expect(() => createHead('mlp' as 'linear', { hidden: [0] } as never)).toThrow(/hidden\[0\]/);
    await expect(createHead('linear').fit(train.x, train.y.subarray(1))).rejects.toThrow(/one label per row/);
    await expect(createHead('linear').fit(train.x, train.y, { numClasses: 2 })).rejects.toThrow(/numClasses=2/);
  });

  it('saves and loads to identical predictions', async () => {
    const head = createHead('linear', { epochs: 3, weightDecay: 1e-3 });
    await head.fit(train.x, train.y);
    const dir = join(mkdtempSync(join(tmpdir(), 'heads-linear-')), 'h');
    head.save(dir);
    const loaded = loadHead(dir);
    expect(loaded.kind).toBe('linear');
    expect(loaded.info).toEqual(head.info);
    expect(loaded.scores(test.x).data).toEqual(head.scores(test.x).data);
  });
});

describe('MLP head', () => {
  it('separates XOR, which a linear head cannot', async () => {
    const train = xorSet(400, 1);
    const test = xorSet(200, 2);
    const mlp = createHead('mlp', { hidden: [16], epochs: 60, learningRate: 0.02, normalize: false, seed: 1 });
    await mlp.fit(train.x, train.y);
    const linear = createHead('linear', { epochs: 60, normalize: false, seed: 1 });
    await linear.fit(train.x, train.y);
    expect(accuracy(mlp.predict(test.x), test.y)).toBeGreaterThan(0.9);
    expect(accuracy(linear.predict(test.x), test.y)).toBeLessThan(0.7);
  });

  it('round-trips through save/load with two hidden layers', async () => {
    const data = clusters({ classes: 3, perClass: 10, dim: 8, noise: 0.3, seed: 4 });
    const head = createHead('mlp', { hidden: [12, 6], epochs: 2 });
    await head.fit(toFeatureMatrix(data.x), data.y);
    const dir = join(mkdtempSync(join(tmpdir(), 'heads-mlp-')), 'h');
    head.save(dir);
    const loaded = loadHead(dir);
    expect(loaded.options).toEqual(head.options);
    expect(loaded.scores(data.x).data).toEqual(head.scores(data.x).data);
  });

  it('leaves no tensors behind', async () => {
    const data = clusters({ classes: 3, perClass: 10, dim: 8, noise: 0.3, seed: 4 });
    const head = createHead('mlp', { hidden: [12], epochs: 2 });
    await head.fit(data.x, data.y);
    const before = tf.memory().numTensors;
    await head.fit(data.x, data.y);
    head.predict(data.x);
    expect(tf.memory().numTensors).toBe(before);
  });
});
