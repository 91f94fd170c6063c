import * as tf from '@tensorflow/tfjs-core';
import type { PromptModel } from './target';

/** How related two models' token-embedding spaces are, over the vocabulary they share. */
export interface TokenSpaceRelation {
  tokens: number;
  /** Mean cosine between the two embeddings of the same token (0: unrelated coordinates). */
  sameTokenCosine: number;
  /** R² on held-out tokens (odd ids) of a least-squares linear map old -> new fitted on even ids. */
  linearMapHeldOutR2: number;
}

/** Compares the token embeddings of two models with the same width and vocabulary. */
export function tokenSpaceRelation(a: PromptModel, b: PromptModel, ridge = 1e-3): TokenSpaceRelation {
  const ea = a.clip.text.tokenEmbedding;
  const eb = b.clip.text.tokenEmbedding;
  if (ea.shape[1] !== eb.shape[1]) throw new Error(`token widths differ (${ea.shape[1]} vs ${eb.shape[1]}); nothing to compare`);
  const n = Math.min(ea.shape[0], eb.shape[0]);
  return tf.tidy(() => {
    const x = tf.slice(ea, [0, 0], [n, -1]) as tf.Tensor2D;
    const y = tf.slice(eb, [0, 0], [n, -1]) as tf.Tensor2D;
    const unit = (t: tf.Tensor2D) => tf.div(t, tf.norm(t, 'euclidean', 1, true));
    const cos = tf.mean(tf.sum(tf.mul(unit(x), unit(y)), 1)).dataSync()[0]!;
    const even = tf.tensor1d(
      Array.from({ length: Math.ceil(n / 2) }, (_, i) => 2 * i),
      'int32',
    );
    const odd = tf.tensor1d(
      Array.from({ length: Math.floor(n / 2) }, (_, i) => 2 * i + 1),
      'int32',
    );
    const xt = tf.gather(x, even);
    const yt = tf.gather(y, even);
    // W = (XᵀX + λI)⁻¹ XᵀY, solved through the normal equations with a small ridge.
    const w = ridgeSolve(
      tf.add(tf.matMul(xt, xt, true, false), tf.mul(tf.eye(x.shape[1]), ridge)) as tf.Tensor2D,
      tf.matMul(xt, yt, true, false) as tf.Tensor2D,
    );
    const yh = tf.matMul(tf.gather(x, odd), w);
    const yv = tf.gather(y, odd);
    const residual = tf.sum(tf.square(tf.sub(yv, yh))).dataSync()[0]!;
    const total = tf.sum(tf.square(tf.sub(yv, tf.mean(yv, 0)))).dataSync()[0]!;
    return { tokens: n, sameTokenCosine: cos, linearMapHeldOutR2: 1 - residual / total };
  });
}

/** Solves A X = B for a symmetric positive-definite A by Gauss-Jordan elimination in float64 (A is width x width). */
function ridgeSolve(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const n = a.shape[0];
  const m = b.shape[1];
  const A = Array.from(a.arraySync(), (r) => Float64Array.from(r));
  const B = Array.from(b.arraySync(), (r) => Float64Array.from(r));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[pivot]![col]!)) pivot = r;
    [A[col], A[pivot]] = [A[pivot]!, A[col]!];
    [B[col], B[pivot]] = [B[pivot]!, B[col]!];
    const p = A[col]![col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / p;
      if (f === 0) continue;
      for (let c = 0; c < n; c++) A[r]![c]! -= f * A[col]![c]!;
      for (let c = 0; c < m; c++) B[r]![c]! -= f * B[col]![c]!;
    }
  }
  return tf.tensor2d(B.map((row, r) => Array.from(row, (v) => v / A[r]![r]!)));
}
