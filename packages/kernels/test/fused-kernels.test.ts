import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  availableBackends,
  contrastiveLoss,
  gelu,
  initBackend,
  layerNorm,
  linear,
  nativeRunCounts,
  quickGelu,
  scaledDotProductAttention,
  softmaxCrossEntropy,
} from '../src/index';
import { FUSED_KERNELS } from '../src/ops/fused-kernels';
import { expectClose } from './helpers';

// The fused ops' named kernels: hotplug-cpu runs them natively (forward and backward); cpu and
// wasm have no kernel of that name and run the composition of tfjs ops. Both must agree on
// shapes the small finite-difference cases in fused-ops.test.ts do not reach: many rows (the
// threaded, blocked dgamma/dbeta sums), long rows, size-1 and empty dimensions.
const hasNative = (await availableBackends()).includes('hotplug-cpu');
const quiet = { log: () => {} };

/** Seeded values made in JavaScript, identical on every backend. */
function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

/** Output and gradients of sum(op(inputs) * w) on one backend, as plain arrays. */
async function evaluate(backend: string, op: Op, shapes: number[][], seed: number) {
  await initBackend(backend as 'cpu', quiet);
  return tf.tidy(() => {
    const inputs = shapes.map((s, i) =>
      tf.tensor(
        seeded(
          s.reduce((a, b) => a * b, 1),
          seed + i,
          2,
        ),
        s,
      ),
    );
    const y = op(...inputs);
    const w = tf.tensor(seeded(y.size, seed + 100), y.shape);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(...xs), w)))(inputs);
    return { y: Array.from(y.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

const cases: { name: string; op: Op; shapes: number[][]; kernels: string[] }[] = [
  {
    name: 'layerNorm [300, 130]',
    op: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D),
    shapes: [[300, 130], [130], [130]],
    kernels: [FUSED_KERNELS.layerNorm, FUSED_KERNELS.layerNormGrad],
  },
  {
    name: 'layerNorm [4, 50, 96], epsilon 1e-3',
    op: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3),
    shapes: [[4, 50, 96], [96], [96]],
    kernels: [FUSED_KERNELS.layerNorm],
  },
  {
    name: 'layerNorm, width 1',
    op: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D),
    shapes: [[7, 1], [1], [1]],
    kernels: [FUSED_KERNELS.layerNorm],
  },
  {
    name: 'layerNorm, no rows',
    op: (x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D),
    shapes: [[0, 5], [5], [5]],
    kernels: [FUSED_KERNELS.layerNorm],
  },
  { name: 'gelu [100003]', op: (x) => gelu(x), shapes: [[100_003]], kernels: [FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad] },
  { name: 'gelu [3, 0]', op: (x) => gelu(x), shapes: [[3, 0]], kernels: [FUSED_KERNELS.gelu] },
  { name: 'quickGelu [64, 50, 17]', op: (x) => quickGelu(x), shapes: [[64, 50, 17]], kernels: [FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad] },
  {
    name: 'attention [2, 4, 50, 32] (more than one query block per pair, odd token count)',
    op: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
    shapes: [
      [2, 4, 50, 32],
      [2, 4, 50, 32],
      [2, 4, 50, 32],
    ],
    kernels: [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGrad],
  },
  {
    name: 'attention, causal, 70 tokens (two query blocks), scale 0.3',
    op: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, { causal: true, scale: 0.3 }),
    shapes: [
      [1, 3, 70, 8],
      [1, 3, 70, 8],
      [1, 3, 70, 8],
    ],
    kernels: [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGrad],
  },
  {
    name: 'attention, 5 queries on 9 keys, value width 3',
    op: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
    shapes: [
      [3, 1, 5, 4],
      [3, 1, 9, 4],
      [3, 1, 9, 3],
    ],
    kernels: [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGrad],
  },
  {
    name: 'attention, one token, empty batch',
    op: (q, k, v) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D),
    shapes: [
      [0, 2, 1, 4],
      [0, 2, 1, 4],
      [0, 2, 1, 4],
    ],
    kernels: [FUSED_KERNELS.attention],
  },
  {
    name: 'linear + bias + gelu [3, 50, 17] x [17, 23] (threaded GEMM, odd sizes)',
    op: (x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D, { activation: 'gelu' }),
    shapes: [[3, 50, 17], [17, 23], [23]],
    kernels: [FUSED_KERNELS.linear, FUSED_KERNELS.linearGrad],
  },
  {
    name: 'linear + bias + quickgelu [64, 96] x [96, 384]',
    op: (x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D, { activation: 'quickgelu' }),
    shapes: [[64, 96], [96, 384], [384]],
    kernels: [FUSED_KERNELS.linear, FUSED_KERNELS.linearGrad],
  },
  {
    name: 'linear, no bias, no activation, rank 1 input',
    op: (x, w) => linear(x, w as tf.Tensor2D),
    shapes: [[5], [5, 3]],
    kernels: [FUSED_KERNELS.linear, FUSED_KERNELS.linearGrad],
  },
  {
    name: 'linear + bias, width-1 output, no rows',
    op: (x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D),
    shapes: [[0, 4], [4, 1], [1]],
    kernels: [FUSED_KERNELS.linear],
  },
  {
    name: 'softmaxCrossEntropy, probabilities [300, 10] (threaded rows), large logits',
    op: (z, y) => softmaxCrossEntropy(tf.mul(z, 30) as tf.Tensor2D, tf.softmax(y) as tf.Tensor2D),
    shapes: [
      [300, 10],
      [300, 10],
    ],
    kernels: [FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad],
  },
  {
    name: 'softmaxCrossEntropy, class ids, two classes, one row',
    op: (z) => softmaxCrossEntropy(z as tf.Tensor2D, tf.tensor1d([1], 'int32')),
    shapes: [[1, 2]],
    kernels: [FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad],
  },
  {
    name: 'contrastiveLoss [64, 64] (two cross-entropies of one logit table)',
    op: (a, b) => contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor2D, 14.3),
    shapes: [
      [64, 64],
      [64, 64],
    ],
    kernels: [FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad],
  },
];

describe.skipIf(!hasNative)('fused kernels: hotplug-cpu (native) vs the composition of tfjs ops (cpu)', () => {
  it('only hotplug-cpu registers them; cpu and wasm fall back to the composition', async () => {
    for (const name of Object.values(FUSED_KERNELS)) {
      expect(tf.getKernel(name, 'hotplug-cpu'), name).toBeDefined();
      expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
      expect(tf.getKernel(name, 'wasm'), name).toBeUndefined();
    }
  });

  for (const c of cases) {
    it(`${c.name}: forward and gradients agree, and the native kernels ran`, async () => {
      const before = c.kernels.map((k) => nativeRunCounts().get(k) ?? 0);
      const native = await evaluate('hotplug-cpu', c.op, c.shapes, 11);
      c.kernels.forEach((k, i) => {
        expect(nativeRunCounts().get(k) ?? 0, `${k} ran natively`).toBeGreaterThan(before[i]);
      });
      const plain = await evaluate('cpu', c.op, c.shapes, 11);
      expectClose(native.y, plain.y, 1e-5, 1e-5, `${c.name} forward`);
      native.grads.forEach((g, i) => {
        expectClose(g, plain.grads[i], 1e-4, 1e-4, `${c.name} grad ${i}`);
      });
    });
  }

  it('leaks no tensors through a training step', async () => {
    await initBackend('hotplug-cpu', quiet);
    const gamma = tf.variable(tf.ones([8]));
    const beta = tf.variable(tf.zeros([8]));
    const x = tf.tensor(seeded(5 * 8, 3), [5, 8]);
    const opt = tf.train.sgd(0.1);
    const step = () => opt.minimize(() => tf.sum(quickGelu(gelu(layerNorm(x, gamma as tf.Tensor1D, beta as tf.Tensor1D)))) as tf.Scalar, false);
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([gamma, beta, x]);
    opt.dispose();
  });
});
