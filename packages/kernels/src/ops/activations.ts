import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';
import type { GeluKind } from './fused-kernels';
import { assertFloat } from './validate';

/** The HotplugGelu kernel when the backend has it (one pass forward, one backward), else null. */
function fusedGelu(x: Tensor, kind: GeluKind): Tensor | null {
  return backendHasKernel(FUSED_KERNELS.gelu) ? runKernel(FUSED_KERNELS.gelu, { x }, { kind })[0] : null;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** OpenAI CLIP's sigmoid approximation constant. */
const QUICK_GELU_ALPHA = 1.702;

/** GELU in its exact form, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: Tensor): Tensor {
  assertFloat('gelu', 'x', x);
  const fused = fusedGelu(x, 'erf');
  if (fused) return fused;
  const fn = tf.customGrad((xIn, save) => {
    const xt = xIn as Tensor;
    (save as GradSaveFunc)([xt]);
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xt, INV_SQRT2))));
    return {
      value: tf.mul(xt, cdf),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [xs] = saved;
        // d/dx [x Phi(x)] = Phi(x) + x phi(x)
        const phi = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
        const cdfS = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xs, INV_SQRT2))));
        return [tf.mul(dy as Tensor, tf.add(cdfS, tf.mul(xs, phi)))];
      },
    };
  });
  return fn(x);
}

/** x * sigmoid(1.702 x), the GELU approximation OpenAI CLIP was trained with. */
export function quickGelu(x: Tensor): Tensor {
  assertFloat('quickGelu', 'x', x);
  const fused = fusedGelu(x, 'quick');
  if (fused) return fused;
  const fn = tf.customGrad((xIn, save) => {
    const xt = xIn as Tensor;
    const s = tf.sigmoid(tf.mul(xt, QUICK_GELU_ALPHA));
    (save as GradSaveFunc)([xt, s]);
    return {
      value: tf.mul(xt, s),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [xs, ss] = saved;
        // s + alpha x s (1 - s)
        const local = tf.add(ss, tf.mul(tf.mul(xs, QUICK_GELU_ALPHA), tf.mul(ss, tf.sub(1, ss))));
        return [tf.mul(dy as Tensor, local)];
      },
    };
  });
  return fn(x);
}
