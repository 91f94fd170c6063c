import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from './cross-entropy';
import { assertFloat, assertRank } from './validate';

// Inside the square root of the norm, so an all-zero row normalises to zeros instead of NaN.
const NORM_EPSILON = 1e-12;

function checkPair(op: string, a: Tensor2D, b: Tensor2D): void {
  assertRank(op, 'a', a, 2);
  assertRank(op, 'b', b, 2);
  assertFloat(op, 'a', a);
  assertFloat(op, 'b', b);
  if (a.shape[1] !== b.shape[1]) {
    throw new Error(`${op}: a [${a.shape.join(', ')}] and b [${b.shape.join(', ')}] must have the same embedding width`);
  }
}

function toScale(op: string, scale: number | Scalar): Scalar {
  if (typeof scale === 'number') {
    if (!Number.isFinite(scale)) throw new Error(`${op}: scale must be finite, got ${scale}`);
    return tf.scalar(scale);
  }
  if (scale.rank !== 0) throw new Error(`${op}: scale must be a number or a scalar tensor, got shape [${scale.shape.join(', ')}]`);
  return scale;
}

/**
 * scale * normalize(a) @ normalize(b)^T, rows normalised to unit L2 norm. Gradients flow to
 * a, b and (when it is a tensor) scale, e.g. CLIP's learned logit scale.
 */
export function cosineLogits(a: Tensor2D, b: Tensor2D, scale: number | Scalar): Tensor2D {
  const op = 'cosineLogits';
  checkPair(op, a, b);
  const ownsScale = typeof scale === 'number';
  const s = toScale(op, scale);
  const fn = tf.customGrad((aIn, bIn, sIn, save) => {
    const rA = tf.rsqrt(tf.add(tf.sum(tf.square(aIn as Tensor), 1, true), NORM_EPSILON));
    const rB = tf.rsqrt(tf.add(tf.sum(tf.square(bIn as Tensor), 1, true), NORM_EPSILON));
    const aN = tf.mul(aIn as Tensor, rA);
    const bN = tf.mul(bIn as Tensor, rB);
    const cosine = tf.matMul(aN, bN, false, true);
    (save as GradSaveFunc)([aN, bN, rA, rB, cosine, sIn as Tensor]);
    return {
      value: tf.mul(cosine, sIn as Tensor) as Tensor2D,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [an, bn, ra, rb, cos, sc] = saved;
        const g = tf.mul(dy as Tensor, sc);
        const gA = tf.matMul(g, bn);
        const gB = tf.matMul(g, an, true, false);
        // Through x / |x|: (g - x_hat * <g, x_hat>) / |x|.
        const dA = tf.mul(tf.sub(gA, tf.mul(an, tf.sum(tf.mul(gA, an), 1, true))), ra);
        const dB = tf.mul(tf.sub(gB, tf.mul(bn, tf.sum(tf.mul(gB, bn), 1, true))), rb);
        const dS = tf.sum(tf.mul(dy as Tensor, cos));
        return [dA, dB, dS];
      },
    };
  });
  const out = fn(a, b, s) as Tensor2D;
  if (ownsScale) s.dispose();
  return out;
}

/**
 * Symmetric InfoNCE as in CLIP: row i of a pairs with row i of b; the mean of the
 * cross-entropies of a->b and b->a over the cosine logits.
 */
export function contrastiveLoss(a: Tensor2D, b: Tensor2D, scale: number | Scalar): Scalar {
  const op = 'contrastiveLoss';
  checkPair(op, a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`${op}: a has ${a.shape[0]} rows and b has ${b.shape[0]}; row i of a pairs with row i of b, so they must match`);
  }
  if (a.shape[0] === 0) throw new Error(`${op}: needs at least one pair, got 0 rows`);
  return tf.tidy(() => {
    const logits = cosineLogits(a, b, scale);
    const targets = tf.eye(a.shape[0]) as Tensor2D;
    const aToB = softmaxCrossEntropy(logits, targets);
    const bToA = softmaxCrossEntropy(tf.transpose(logits) as Tensor2D, targets);
    return tf.mul(tf.add(aToB, bToA), 0.5) as Scalar;
  });
}
