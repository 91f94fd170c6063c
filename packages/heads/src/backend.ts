import type * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '@hotplug/kernels';

// One implementation of "keep the user's backend, else pick the fastest": @hotplug/kernels'.
export { ensureBackend } from '@hotplug/kernels';

/**
 * The training loss of the linear and MLP heads: mean softmax cross-entropy of logits
 * [N, C] against int32 class ids [N] (@hotplug/kernels' fused op with its own gradient).
 */
export function meanSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return softmaxCrossEntropy(logits, labels);
}
