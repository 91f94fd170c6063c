import * as tf from '@tensorflow/tfjs-core';
import * as kernels from '@hotplug/kernels';

// @hotplug/kernels is being written alongside this package: use its backend choice when it
// is there, and the application's registered backend otherwise, so heads work with either.
const optionalKernels = kernels as unknown as {
  initBackend?: () => Promise<unknown> | unknown;
};

let ready: Promise<void> | undefined;

/**
 * Makes sure a tfjs backend is active: @hotplug/kernels' `initBackend()` when it exists,
 * otherwise whatever backend the application registered (e.g. @tensorflow/tfjs-backend-cpu).
 */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    if (typeof optionalKernels.initBackend === 'function') await optionalKernels.initBackend();
    await tf.ready();
    if (!tf.getBackend()) {
      throw new Error(
        'no tfjs backend is registered: call initBackend() from @hotplug/kernels or import @tensorflow/tfjs-backend-cpu before using @hotplug/heads',
      );
    }
  })();
  return ready;
}

/**
 * Mean softmax cross-entropy of logits [N, C] against integer labels [N], from plain tfjs
 * ops (log-softmax is numerically stable, and its gradient is tfjs' own).
 */
export function meanSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, numClasses);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}
