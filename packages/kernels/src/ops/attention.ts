import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';
import { assertFloat, assertRank } from './validate';

export interface AttentionOptions {
  /** Mask future tokens (query i attends to keys 0..i only). */
  causal?: boolean;
  /** Multiplier on q·k; defaults to 1/sqrt(headDim). */
  scale?: number;
}

// Added to masked scores. Large and finite rather than -Infinity so a fully masked row
// (impossible with a causal mask, but cheap insurance) gives a uniform row instead of NaN.
const MASKED = -1e9;

function causalBias(queries: number, keys: number): Tensor2D {
  return tf.tidy(() => {
    const keep = tf.linalg.bandPart(tf.ones([queries, keys]), -1, 0);
    return tf.mul(tf.sub(1, keep), MASKED) as Tensor2D;
  });
}

/**
 * softmax(scale * q k^T [+ causal mask]) v for q, k, v of shape [batch, heads, tokens, headDim].
 * The backward pass reuses the saved probabilities: dS = P * (dP - rowsum(dP * P)). On a
 * backend with the HotplugAttention kernel (hotplug-cpu) each (batch, head) pair runs both
 * products and the softmax in one task, forward and backward.
 */
export function scaledDotProductAttention(q: Tensor4D, k: Tensor4D, v: Tensor4D, options: AttentionOptions = {}): Tensor4D {
  const op = 'scaledDotProductAttention';
  assertRank(op, 'q', q, 4);
  assertRank(op, 'k', k, 4);
  assertRank(op, 'v', v, 4);
  assertFloat(op, 'q', q);
  assertFloat(op, 'k', k);
  assertFloat(op, 'v', v);
  const [b, h, tq, d] = q.shape;
  const [bk, hk, tk, dk] = k.shape;
  const [bv, hv, tv] = v.shape;
  if (bk !== b || hk !== h || dk !== d) {
    throw new Error(`${op}: k [${k.shape.join(', ')}] must match q [${q.shape.join(', ')}] in batch, heads and headDim`);
  }
  if (bv !== b || hv !== h || tv !== tk) {
    throw new Error(`${op}: v [${v.shape.join(', ')}] must match k [${k.shape.join(', ')}] in batch, heads and tokens`);
  }
  const causal = options.causal ?? false;
  if (causal && tq !== tk) {
    throw new Error(`${op}: a causal mask needs as many queries as keys, got ${tq} queries and ${tk} keys`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(d);
  if (!Number.isFinite(scale)) throw new Error(`${op}: scale must be a finite number, got ${scale}`);
  if (backendHasKernel(FUSED_KERNELS.attention)) {
    const [out, probs] = runKernel(FUSED_KERNELS.attention, { q, k, v }, { scale, causal });
    // The tape keeps its own reference to the probabilities for the backward pass.
    probs.dispose();
    return out as Tensor4D;
  }

  const fn = tf.customGrad((qIn, kIn, vIn, save) => {
    const [qt, kt, vt] = [qIn, kIn, vIn] as Tensor4D[];
    let scores: Tensor = tf.mul(tf.matMul(qt, kt, false, true), scale);
    if (causal) scores = tf.add(scores, causalBias(tq, tk));
    const probs = tf.softmax(scores);
    (save as GradSaveFunc)([qt, kt, vt, probs]);
    return {
      value: tf.matMul(probs, vt) as Tensor4D,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const dOut = dy as Tensor4D;
        const [qs, ks, vs, p] = saved as Tensor4D[];
        const dV = tf.matMul(p, dOut, true, false);
        const dP = tf.matMul(dOut, vs, false, true);
        const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));
        const dQ = tf.mul(tf.matMul(dS, ks), scale);
        const dK = tf.mul(tf.matMul(dS, qs, true, false), scale);
        return [dQ, dK, dV];
      },
    };
  });
  return fn(q, k, v) as Tensor4D;
}
