import * as tf from '@tensorflow/tfjs-core';
import { initBackend, softmaxCrossEntropy } from '@hotplug/kernels';

let ready: Promise<void> | undefined;

/**
 * Makes sure a tfjs backend is active. A backend the application already chose is kept;
 * otherwise @hotplug/kernels' `initBackend()` picks the fastest one available here.
 */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    if (!tf.getBackend()) await initBackend();
    await tf.ready();
  })();
  return ready;
}

/**
 * The training loss of the linear and MLP heads: mean softmax cross-entropy of logits
 * [N, C] against int32 class ids [N] (@hotplug/kernels' fused op with its own gradient).
 */
export function meanSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return softmaxCrossEntropy(logits, labels);
}
