import * as tf from '@tensorflow/tfjs-core';
import type { VisionConfig } from '../config';

/**
 * Per-channel (x - mean) / std with the statistics the config carries, for NHWC images in
 * the 0..1 range. The encoders take images already normalised; this is the one way to do it.
 */
export function normalizeImages(images: tf.Tensor4D, vision: VisionConfig): tf.Tensor4D {
  const channels = images.shape[3];
  if (images.rank !== 4 || channels !== vision.channels)
    throw new Error(`normalizeImages expects NHWC images with ${vision.channels} channel(s), got [${images.shape.join(', ')}]`);
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d(vision.mean)), tf.tensor1d(vision.std)) as tf.Tensor4D);
}
