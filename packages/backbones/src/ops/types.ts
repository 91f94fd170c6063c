import type * as tf from '@tensorflow/tfjs-core';

/**
 * The small tensor vocabulary the encoders are written in. Two implementations exist:
 * `tfjsOps` (eager, differentiable, runs on the backend `@hotplug/kernels` picked) and
 * `OnnxRecorder` (records an ONNX graph). Adapter code written against this interface
 * runs in training and exports to ONNX unchanged.
 *
 * Shapes: activations are [batch, tokens, width]; attention inputs are
 * [batch, heads, tokens, headDim]; linear weights are [in, out].
 */
export interface TensorOps<T> {
  readonly kind: 'tfjs' | 'onnx';
  /** A named parameter; the value is read (tfjs: used as is; onnx: stored once as an initializer). */
  weight(name: string, value: tf.Tensor): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  scale(a: T, factor: number): T;
  /** x[..., in] @ weight[in, out] (+ bias[out]). */
  linear(x: T, weight: T, bias?: T): T;
  layerNorm(x: T, gamma: T, beta: T, epsilon: number): T;
  gelu(x: T): T;
  quickGelu(x: T): T;
  relu(x: T): T;
  tanh(x: T): T;
  sigmoid(x: T): T;
  /** Softmax attention over [batch, heads, tokens, headDim]. */
  attention(q: T, k: T, v: T, options: { causal: boolean; scale: number }): T;
  /** [B, T, H*D] -> [B, H, T, D]. */
  splitHeads(x: T, heads: number): T;
  /** [B, H, T, D] -> [B, T, H*D]. */
  mergeHeads(x: T): T;
  /** NHWC images and a [p, p, C, W] filter -> [B, patches, W] (row-major patch order). */
  patchEmbed(images: T, weight: T, patchSize: number): T;
  /** [B, N, W] and token [W] -> [B, N+1, W]. */
  prependToken(x: T, token: T): T;
  /** [B, T, W] -> [B, W] at a fixed token position. */
  selectToken(x: T, index: number): T;
  /** [B, T, W] and per-row positions [B] (int) -> [B, W]. */
  gatherTokens(x: T, positions: T): T;
  /** table [V, W] and ids [B, T] -> [B, T, W]. */
  embed(table: T, ids: T): T;
  /** ids [B, T] -> first position of tokenId per row [B]. */
  firstIndexOf(ids: T, tokenId: number): T;
  /** Batched a @ b over the last two axes (leading axes equal). */
  matmul(a: T, b: T): T;
  /** Softmax over the last axis. */
  softmax(x: T): T;
  /** Concatenation along a non-negative axis. */
  concat(xs: readonly T[], axis: number): T;
  /** Divides each row by its L2 norm. */
  l2Normalize(x: T): T;
}
