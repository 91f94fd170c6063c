import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm, quickGelu, scaledDotProductAttention } from '@hotplug/kernels';
import type { TensorOps } from './types';

/** Eager, differentiable implementation on the active tfjs backend (fused ops from @hotplug/kernels). */
export const tfjsOps: TensorOps<tf.Tensor> = {
  kind: 'tfjs',
  weight: (_name, value) => value,
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  scale: (a, factor) => tf.mul(a, factor),
  linear(x, weight, bias) {
    const inDim = x.shape[x.shape.length - 1]!;
    const outDim = weight.shape[1]!;
    if (weight.shape[0] !== inDim) throw new Error(`linear: input width ${inDim} does not match weight [${weight.shape}] (expected [${inDim}, out])`);
    const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    // Fused matmul + bias: one kernel (and one output buffer) instead of two; differentiable in tfjs-core.
    const y = bias ? tf.fused.matMul({ a: flat, b: weight as tf.Tensor2D, bias }) : tf.matMul(flat, weight);
    return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  },
  layerNorm: (x, gamma, beta, epsilon) => layerNorm(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon),
  gelu: (x) => gelu(x),
  quickGelu: (x) => quickGelu(x),
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  attention: (q, k, v, options) => scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, options),
  splitHeads(x, heads) {
    const [b, t, w] = x.shape as [number, number, number];
    return tf.transpose(tf.reshape(x, [b, t, heads, w / heads]), [0, 2, 1, 3]);
  },
  mergeHeads(x) {
    const [b, h, t, d] = x.shape as [number, number, number, number];
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * d]);
  },
  patchEmbed(images, weight, patchSize) {
    // Non-overlapping patches as reshape -> transpose -> one matmul: the same numbers as a
    // stride-p convolution, but its gradient runs on the GEMM kernel instead of tfjs's
    // Conv2DBackpropFilter, which was 40% of a training step. 2-D matmul because tfjs's
    // BatchMatMul gradient does not reduce a broadcast batch dimension.
    const [b, h, wd, c] = images.shape as [number, number, number, number];
    const [, , , width] = weight.shape as [number, number, number, number];
    const gh = Math.floor(h / patchSize);
    const gw = Math.floor(wd / patchSize);
    const cropped = gh * patchSize === h && gw * patchSize === wd ? images : tf.slice(images, [0, 0, 0, 0], [b, gh * patchSize, gw * patchSize, c]);
    const grid = tf.reshape(cropped, [b, gh, patchSize, gw, patchSize, c]);
    const patches = tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [b * gh * gw, patchSize * patchSize * c]);
    const flat = tf.matMul(patches, tf.reshape(weight, [patchSize * patchSize * c, width]));
    return tf.reshape(flat, [b, gh * gw, width]);
  },
  prependToken(x, token) {
    const [b, , w] = x.shape as [number, number, number];
    const tiled = tf.broadcastTo(tf.reshape(token, [1, 1, w]), [b, 1, w]);
    return tf.concat([tiled, x], 1);
  },
  selectToken(x, index) {
    const [b, , w] = x.shape as [number, number, number];
    return tf.reshape(tf.slice(x, [0, index, 0], [b, 1, w]), [b, w]);
  },
  gatherTokens(x, positions) {
    // One-hot weighting instead of gather: differentiable on every backend (wasm lacks the gather gradient).
    const t = x.shape[1]!;
    const mask = tf.expandDims(tf.oneHot(tf.cast(positions, 'int32') as tf.Tensor1D, t), -1);
    return tf.sum(tf.mul(x, tf.cast(mask, x.dtype)), 1);
  },
  embed(table, ids) {
    const [b, t] = ids.shape as [number, number];
    const w = table.shape[1]!;
    return tf.reshape(tf.gather(table, tf.reshape(tf.cast(ids, 'int32'), [-1])), [b, t, w]);
  },
  firstIndexOf(ids, tokenId) {
    // argMax returns the first maximum, i.e. the first occurrence.
    return tf.argMax(tf.cast(tf.equal(ids, tokenId), 'float32'), 1);
  },
  matmul: (a, b) => tf.matMul(a, b),
  softmax: (x) => tf.softmax(x),
  concat: (xs, axis) => tf.concat(xs as tf.Tensor[], axis),
  l2Normalize(x) {
    const norm = tf.sqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.maximum(norm, 1e-12));
  },
};
