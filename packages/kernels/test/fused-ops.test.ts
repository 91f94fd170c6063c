import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  availableBackends,
  contrastiveLoss,
  cosineLogits,
  gelu,
  initBackend,
  layerNorm,
  linear,
  quickGelu,
  scaledDotProductAttention,
  softmaxCrossEntropy,
} from '../src/index';
import type { BackendName } from '../src/index';
import { expectClose, finiteDifference, randn, values, weightedGrads } from './helpers';

// Plain-op compositions: the independent references the fused ops are checked against.
const reference = {
  layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5) {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
  },
  attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, causal: boolean, scale: number) {
    let s = tf.mul(tf.matMul(q, k, false, true), scale);
    if (causal) {
      const t = q.shape[2]!;
      const allowed = tf.cast(tf.linalg.bandPart(tf.ones([t, t]), -1, 0), 'bool');
      s = tf.where(allowed, s, tf.fill(s.shape, -1e9));
    }
    return tf.matMul(tf.softmax(s), v);
  },
  gelu: (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  quickGelu: (x: tf.Tensor) => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))),
  crossEntropy: (z: tf.Tensor, y: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))),
  normalize: (a: tf.Tensor) => tf.div(a, tf.sqrt(tf.add(tf.sum(tf.square(a), 1, true), 1e-12))),
  cosine(a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) {
    return tf.mul(tf.matMul(reference.normalize(a), reference.normalize(b), false, true), s);
  },
  contrastive(a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) {
    const logits = reference.cosine(a, b, s);
    const eye = tf.eye(a.shape[0]);
    return tf.mul(tf.add(reference.crossEntropy(logits, eye), reference.crossEntropy(tf.transpose(logits), eye)), 0.5);
  },
};

interface Case {
  name: string;
  inputs: () => tf.Tensor[];
  fused: (...xs: tf.Tensor[]) => tf.Tensor;
  plain: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Which inputs get a gradient check (default: all). */
  differentiable?: number[];
}

const cases: Case[] = [
  {
    name: 'layerNorm',
    inputs: () => [randn([2, 3, 7], 1, 2), randn([7], 2), randn([7], 3)],
    fused: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D),
    plain: (x, g, b) => reference.layerNorm(x, g, b),
  },
  {
    name: 'layerNorm (rank 1, epsilon 0.1)',
    inputs: () => [randn([5], 4), randn([5], 5), randn([5], 6)],
    fused: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 0.1),
    plain: (x, g, b) => reference.layerNorm(x, g, b, 0.1),
  },
  {
    name: 'scaledDotProductAttention',
    inputs: () => [randn([2, 2, 5, 3], 7), randn([2, 2, 4, 3], 8), randn([2, 2, 4, 3], 9)],
    fused: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
    plain: (q, k, v) => reference.attention(q, k, v, false, 1 / Math.sqrt(3)),
  },
  {
    name: 'scaledDotProductAttention (causal, scale 0.7)',
    inputs: () => [randn([1, 2, 4, 3], 10), randn([1, 2, 4, 3], 11), randn([1, 2, 4, 3], 12)],
    fused: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, { causal: true, scale: 0.7 }),
    plain: (q, k, v) => reference.attention(q, k, v, true, 0.7),
  },
  { name: 'gelu', inputs: () => [randn([3, 11], 13, 2)], fused: gelu, plain: reference.gelu },
  {
    name: 'linear (bias, gelu epilogue)',
    inputs: () => [randn([2, 3, 4], 40), randn([4, 5], 41), randn([5], 42)],
    fused: (x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D, { activation: 'gelu' }),
    plain: (x, w, b) => reference.gelu(tf.add(tf.reshape(tf.matMul(tf.reshape(x, [6, 4]), w), [2, 3, 5]), b)),
  },
  { name: 'quickGelu', inputs: () => [randn([3, 11], 14, 2)], fused: quickGelu, plain: reference.quickGelu },
  {
    name: 'softmaxCrossEntropy (probabilities)',
    inputs: () => [randn([4, 5], 15), tf.softmax(randn([4, 5], 16))],
    fused: (z, y) => softmaxCrossEntropy(z as tf.Tensor2D, y as tf.Tensor2D),
    plain: reference.crossEntropy,
  },
  {
    name: 'softmaxCrossEntropy (class ids)',
    inputs: () => [randn([4, 5], 17, 3)],
    fused: (z) => softmaxCrossEntropy(z as tf.Tensor2D, tf.tensor1d([0, 4, 2, 2], 'int32')),
    plain: (z) => reference.crossEntropy(z, tf.oneHot(tf.tensor1d([0, 4, 2, 2], 'int32'), 5)),
  },
  {
    name: 'cosineLogits (tensor scale)',
    inputs: () => [randn([3, 6], 18), randn([4, 6], 19), tf.scalar(2.5)],
    fused: (a, b, s) => cosineLogits(a as tf.Tensor2D, b as tf.Tensor2D, s as tf.Scalar),
    plain: reference.cosine,
  },
  {
    name: 'cosineLogits (number scale)',
    inputs: () => [randn([3, 6], 20), randn([2, 6], 21)],
    fused: (a, b) => cosineLogits(a as tf.Tensor2D, b as tf.Tensor2D, 3),
    plain: (a, b) => reference.cosine(a, b, tf.scalar(3)),
  },
  {
    name: 'contrastiveLoss',
    inputs: () => [randn([4, 6], 22), randn([4, 6], 23), tf.scalar(4)],
    fused: (a, b, s) => contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor2D, s as tf.Scalar),
    plain: reference.contrastive,
  },
];

const backends: BackendName[] = ['cpu', 'wasm', 'hotplug-cpu'];

describe.each(backends)('fused ops on %s', (backend) => {
  let present = true;
  beforeAll(async () => {
    present = (await availableBackends()).includes(backend);
    if (present) await initBackend(backend, { log: () => {} });
  });

  for (const c of cases) {
    it(`${c.name}: forward and gradients match plain ops and finite differences`, (ctx) => {
      if (!present) ctx.skip();
      const inputs = c.inputs();
      const before = tf.memory().numTensors;
      const fused = tf.tidy(() => values(c.fused(...inputs)).slice());
      const plain = tf.tidy(() => values(c.plain(...inputs)).slice());
      expectClose(fused, plain, 1e-4, 1e-5, `${c.name} forward`);

      const outShape = tf.tidy(() => c.fused(...inputs).shape);
      const weights = randn(outShape, 99);
      const gFused = weightedGrads(c.fused, inputs, weights);
      const gPlain = weightedGrads(c.plain, inputs, weights);
      const loss = (xs: tf.Tensor[]) => tf.sum(tf.mul(c.fused(...xs), weights)) as tf.Scalar;
      for (let i = 0; i < inputs.length; i++) {
        expectClose(gFused[i], gPlain[i], 1e-3, 1e-4, `${c.name} grad ${i} vs plain ops`);
        const numeric = finiteDifference(loss, inputs, i);
        expectClose(gFused[i], numeric, 3e-2, 3e-3, `${c.name} grad ${i} vs finite differences`);
      }
      weights.dispose();
      expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
      tf.dispose(inputs);
    });
  }

  it('a training step through every fused op leaks no tensors', (ctx) => {
    if (!present) ctx.skip();
    const w = tf.variable(randn([6, 6], 30, 0.3));
    const gamma = tf.variable(tf.ones([6]));
    const beta = tf.variable(tf.zeros([6]));
    const x = randn([2, 4, 6], 31);
    const y = randn([2, 6], 32);
    const opt = tf.train.adam(1e-2);
    const step = () =>
      opt
        .minimize(() => {
          const h = gelu(layerNorm(tf.matMul(tf.reshape(x, [8, 6]), w), gamma as tf.Tensor1D, beta as tf.Tensor1D));
          const heads = tf.reshape(h, [2, 1, 4, 6]) as tf.Tensor4D;
          const att = scaledDotProductAttention(heads, heads, heads, { causal: true });
          const pooled = tf.mean(quickGelu(tf.reshape(att, [2, 4, 6])), 1) as tf.Tensor2D;
          return tf.add(contrastiveLoss(pooled, y as tf.Tensor2D, 10), softmaxCrossEntropy(pooled, tf.tensor1d([1, 3], 'int32'))) as tf.Scalar;
        }, true)!
        .dispose();
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, gamma, beta, x, y]);
    opt.dispose();
  });
});

describe('fused op input checks', () => {
  it('names the problem and the fix', () => {
    const x = tf.zeros([2, 4]);
    expect(() => layerNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/gamma length .* must be 4, got 3/);
    expect(() => layerNorm(tf.zeros([2, 4], 'int32'), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/must be float32, got int32/);
    const q = tf.zeros([1, 2, 3, 4]) as tf.Tensor4D;
    expect(() => scaledDotProductAttention(q, tf.zeros([1, 2, 3, 5]) as tf.Tensor4D, q)).toThrow(/must match q .* headDim/);
    expect(() => scaledDotProductAttention(q, q, tf.zeros([1, 2, 5, 4]) as tf.Tensor4D)).toThrow(/v .* must match k/);
    expect(() => scaledDotProductAttention(q, tf.zeros([1, 2, 5, 4]) as tf.Tensor4D, tf.zeros([1, 2, 5, 4]) as tf.Tensor4D, { causal: true })).toThrow(
      /causal mask needs as many queries as keys/,
    );
    expect(() => scaledDotProductAttention(x as never, q, q)).toThrow(/q must have rank 4/);
    const z = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => softmaxCrossEntropy(z, tf.tensor1d([0, 3], 'int32'))).toThrow(/label 3 at row 1 is outside \[0, 3\)/);
    expect(() => softmaxCrossEntropy(z, tf.tensor1d([0, 1]) as tf.Tensor1D)).toThrow(/must be int32, got float32/);
    expect(() => softmaxCrossEntropy(z, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/3 ids but logits has 2 rows/);
    expect(() => softmaxCrossEntropy(z, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/must have the same shape/);
    expect(() => cosineLogits(z, tf.zeros([2, 4]) as tf.Tensor2D, 1)).toThrow(/same embedding width/);
    expect(() => contrastiveLoss(z, tf.zeros([3, 3]) as tf.Tensor2D, 1)).toThrow(/row i of a pairs with row i of b/);
    expect(() => cosineLogits(z, z, tf.zeros([2]) as never)).toThrow(/scale must be a number or a scalar tensor/);
  });
});
