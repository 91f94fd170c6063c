import * as tf from '@tensorflow/tfjs-core';
import { cosineLogits, softmaxCrossEntropy } from '@hotplug/kernels';
import type { PromptTarget } from '../target';

/**
 * T² · KL(p_zs ‖ p) where p_zs = softmax(zero-shot logits / T) of the hand-written prompts on
 * the same model and images (a constant teacher) and p = softmax(logits / T). Computed as
 * cross-entropy with soft labels minus the teacher's entropy, so its value is the KL itself.
 */
export function distillation(target: PromptTarget, images: tf.Tensor2D, logits: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const teacher = tf.tidy(() => {
      const zs = cosineLogits(images, target.zeroShotFeatures(), target.logitScale / temperature);
      return tf.softmax(zs);
    });
    const entropy = tf.tidy(() => tf.div(tf.neg(tf.sum(tf.mul(teacher, tf.log(tf.add(teacher, 1e-12))))), teacher.shape[0]));
    const ce = softmaxCrossEntropy(tf.div(logits, temperature) as tf.Tensor2D, teacher as tf.Tensor2D);
    return tf.mul(tf.sub(ce, entropy), temperature * temperature) as tf.Scalar;
  });
}
