import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@hotplug/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { NORMALIZATION, affineInverse, bytesToTensor, composeTransforms, createTransform, type TransformSpec } from '../src/index';
import { initTestBackend } from './helpers';

beforeAll(initTestBackend);

function randomBatch(b: number, h: number, w: number, c: number, seed = 1): tf.Tensor4D {
  const r = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: b * h * w * c }, () => r.next()),
    [b, h, w, c],
  );
}

const run = (spec: TransformSpec, x: tf.Tensor4D, seed = 3) => createTransform(spec)(x, new Rng(seed));

describe('transforms against plain tfjs ops and hand-worked values', () => {
  it('bytesToTensor scales to [0, 1]', () => {
    const t = bytesToTensor(new Uint8Array([0, 51, 255, 102]), 1, 2, 2, 1);
    expect(Array.from(t.dataSync())).toEqual([0, 0.2, 1, 0.4].map((v) => Math.fround(v)));
    t.dispose();
  });

  it('normalize: (x - mean) / std per channel', () => {
    const x = tf.tensor4d([0, 0.5, 1, 0.25], [1, 1, 2, 2]);
    const y = run({ kind: 'normalize', mean: [0.5, 0.25], std: [0.25, 0.5] }, x);
    expect(Array.from(y.dataSync())).toEqual([-2, 0.5, 2, 0]);
    expect(() => run({ kind: 'normalize', ...NORMALIZATION.clip }, tf.zeros([1, 2, 2, 1]) as tf.Tensor4D)).toThrow(
      /3 channel means but the images have 1 channels/,
    );
    expect(() => createTransform({ kind: 'normalize', mean: [0], std: [0] })).toThrow(/std must be > 0/);
  });

  it('randomFlip with probability 1 equals tf.image.flipLeftRight, with 0 the identity', () => {
    const x = randomBatch(3, 5, 6, 2);
    expect(Array.from(run({ kind: 'randomFlip', probability: 1 }, x).dataSync())).toEqual(Array.from(tf.image.flipLeftRight(x).dataSync()));
    expect(Array.from(run({ kind: 'randomFlip', probability: 0 }, x).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('randomCrop equals tf.pad then tf.slice at the offsets drawn from the same seed', () => {
    const x = randomBatch(4, 6, 7, 1);
    const p = 2;
    const y = run({ kind: 'randomCrop', padding: p }, x, 11);
    const r = new Rng(11);
    const padded = tf.pad(x, [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]);
    for (let i = 0; i < 4; i++) {
      const dx = r.int(2 * p + 1) - p,
        dy = r.int(2 * p + 1) - p;
      const ref = tf.slice(padded, [i, dy + p, dx + p, 0], [1, 6, 7, 1]);
      expect(Array.from(tf.slice(y, [i, 0, 0, 0], [1, 6, 7, 1]).dataSync())).toEqual(Array.from(ref.dataSync()));
    }
  });

  it('affineInverse rotates a square image by 90 degrees exactly (hand-worked index map)', () => {
    const n = 5;
    const x = randomBatch(1, n, n, 1);
    const rows = affineInverse(Math.PI / 2, 1, 0, 0, (n - 1) / 2, (n - 1) / 2);
    const y = tf.image.transform(x, tf.tensor2d([[...rows, 0, 0]]), 'bilinear').dataSync();
    const v = x.dataSync();
    for (let yo = 0; yo < n; yo++) for (let xo = 0; xo < n; xo++) expect(y[yo * n + xo]).toBeCloseTo(v[(n - 1 - xo) * n + yo]!, 5);
  });

  it('randomAffine with no rotation, scale or shift is the identity; otherwise it moves pixels', () => {
    const x = randomBatch(2, 8, 8, 1);
    const same = run({ kind: 'randomAffine', degrees: 0 }, x);
    Array.from(same.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(x.dataSync()[i]!, 5);
    });
    const moved = run({ kind: 'randomAffine', degrees: 30, translate: [0.2, 0.2], scale: [0.8, 1.2] }, x);
    expect(tf.max(tf.abs(tf.sub(moved, x))).dataSync()[0]).toBeGreaterThan(0.1);
    expect(() => createTransform({ kind: 'randomAffine', degrees: 5, scale: [2, 1] })).toThrow(/0 < lo <= hi/);
  });

  it('resize and grayscaleToRgb equal tf.image.resizeBilinear and tf.tile', () => {
    const x = randomBatch(2, 7, 9, 1);
    expect(Array.from(run({ kind: 'resize', height: 4, width: 5 }, x).dataSync())).toEqual(
      Array.from(tf.image.resizeBilinear(x, [4, 5], false, true).dataSync()),
    );
    expect(Array.from(run({ kind: 'grayscaleToRgb' }, x).dataSync())).toEqual(Array.from(tf.tile(x, [1, 1, 1, 3]).dataSync()));
  });

  it('a pipeline is deterministic per seed and leaves no tensor behind', () => {
    const x = randomBatch(4, 10, 10, 1);
    const pipeline = composeTransforms([
      { kind: 'randomCrop', padding: 2 },
      { kind: 'randomFlip' },
      { kind: 'randomAffine', degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1] },
      { kind: 'grayscaleToRgb' },
      { kind: 'resize', height: 12, width: 12 },
      { kind: 'normalize', ...NORMALIZATION.clip },
    ]);
    const before = tf.memory().numTensors;
    const a = pipeline(x, new Rng(9));
    const b = pipeline(x, new Rng(9));
    const c = pipeline(x, new Rng(10));
    expect(a.shape).toEqual([4, 12, 12, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createTransform({ kind: 'blur' } as unknown as TransformSpec)).toThrow(/unknown transform kind 'blur'; known: resize, normalize/);
  });
});
