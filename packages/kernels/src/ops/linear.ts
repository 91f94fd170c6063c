import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorMap, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { gelu, quickGelu } from './activations';
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';
import type { LinearActivation } from './fused-kernels';
import { assertDim, assertFloat, assertMinRank, assertRank } from './validate';

export interface LinearOptions {
  /** Applied after the bias: 'none' (default), 'gelu' (exact) or 'quickgelu' (CLIP's). */
  activation?: LinearActivation;
}

/**
 * A dense layer, act(x weight + bias), over the last axis of x ([..., in] -> [..., out]). On a
 * backend with the HotplugLinear kernel (hotplug-cpu) the bias and the activation are the
 * GEMM's epilogue, forward and backward; elsewhere it is matMul, add and the activation op.
 */
export function linear(x: Tensor, weight: Tensor2D, bias?: Tensor1D, options: LinearOptions = {}): Tensor {
  const op = 'linear';
  assertMinRank(op, 'x', x, 1);
  assertRank(op, 'weight', weight, 2);
  assertFloat(op, 'x', x);
  assertFloat(op, 'weight', weight);
  const inDim = x.shape[x.rank - 1];
  assertDim(op, `weight rows (last axis of x [${x.shape.join(', ')}])`, weight.shape[0], inDim);
  const outDim = weight.shape[1];
  if (bias) {
    assertRank(op, 'bias', bias, 1);
    assertFloat(op, 'bias', bias);
    assertDim(op, `bias length (columns of weight [${weight.shape.join(', ')}])`, bias.shape[0], outDim);
  }
  const activation = options.activation ?? 'none';
  if (!['none', 'gelu', 'quickgelu'].includes(activation)) throw new Error(`linear: activation must be 'none', 'gelu' or 'quickgelu', got '${activation}'`);
  const outShape = [...x.shape.slice(0, -1), outDim];
  return tf.tidy(() => {
    const x2d = tf.reshape(x, [-1, inDim]) as Tensor2D;
    if (backendHasKernel(FUSED_KERNELS.linear)) {
      const inputs: NamedTensorMap = { x: x2d, weight };
      if (bias) inputs.bias = bias;
      const [y] = runKernel(FUSED_KERNELS.linear, inputs, { activation, hasBias: bias !== undefined });
      return tf.reshape(y, outShape);
    }
    let y: Tensor = tf.matMul(x2d, weight);
    if (bias) y = tf.add(y, bias);
    if (activation === 'gelu') y = gelu(y);
    else if (activation === 'quickgelu') y = quickGelu(y);
    return tf.reshape(y, outShape);
  });
}
