import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';
import { assertDim, assertFloat, assertMinRank, assertRank } from './validate';

/**
 * Layer normalisation over the last axis: (x - mean) / sqrt(var + epsilon) * gamma + beta.
 * One custom gradient instead of tfjs' chain of ~12 op gradients; the backward pass uses the
 * closed form dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma.
 * On a backend with the HotplugLayerNorm kernel (hotplug-cpu) forward and backward are one
 * fused kernel each; elsewhere the same formulas run as tfjs ops.
 */
export function layerNorm(x: Tensor, gamma: Tensor1D, beta: Tensor1D, epsilon = 1e-5): Tensor {
  const op = 'layerNorm';
  assertMinRank(op, 'x', x, 1);
  assertRank(op, 'gamma', gamma, 1);
  assertRank(op, 'beta', beta, 1);
  assertFloat(op, 'x', x);
  const width = x.shape[x.rank - 1];
  assertDim(op, `gamma length (last axis of x [${x.shape.join(', ')}])`, gamma.shape[0], width);
  assertDim(op, `beta length (last axis of x [${x.shape.join(', ')}])`, beta.shape[0], width);
  if (!(epsilon > 0)) throw new Error(`layerNorm: epsilon must be > 0, got ${epsilon}`);
  if (backendHasKernel(FUSED_KERNELS.layerNorm) && gamma.dtype === 'float32' && beta.dtype === 'float32') {
    const [y, mean, rstd] = runKernel(FUSED_KERNELS.layerNorm, { x, gamma, beta }, { epsilon });
    // The tape keeps its own references to mean and rstd for the backward pass.
    tf.dispose([mean, rstd]);
    return y;
  }

  const fn = tf.customGrad((xIn, gammaIn, betaIn, save) => {
    const xt = xIn as Tensor;
    const axis = xt.rank - 1;
    const mean = tf.mean(xt, axis, true);
    const centered = tf.sub(xt, mean);
    const variance = tf.mean(tf.square(centered), axis, true);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centered, rstd);
    (save as GradSaveFunc)([xhat, rstd, gammaIn as Tensor]);
    const value = tf.add(tf.mul(xhat, gammaIn as Tensor), betaIn as Tensor);
    return {
      value,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g0 = dy as Tensor;
        const [xh, rs, gm] = saved;
        const leading = Array.from({ length: xh.rank - 1 }, (_, i) => i);
        // Rank-1 input has no leading axes to sum over.
        const sumLeading = (t: Tensor) => (leading.length > 0 ? tf.sum(t, leading) : t);
        const dGamma = sumLeading(tf.mul(g0, xh));
        const dBeta = sumLeading(g0);
        const g = tf.mul(g0, gm);
        const meanG = tf.mean(g, axis, true);
        const meanGX = tf.mean(tf.mul(g, xh), axis, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGX)));
        return [dx, dGamma, dBeta];
      },
    };
  });
  return fn(x, gamma, beta);
}
