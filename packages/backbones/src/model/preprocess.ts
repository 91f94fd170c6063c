import * as tf from '@tensorflow/tfjs-core';
import type { VisionConfig } from '../config';
import type { Clip } from './clip';

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

/** A stack of uint8 NHWC images (what @hotplug/data's datasets hold). */
export interface ImageBytes {
  readonly name?: string;
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** size x height x width x channels bytes. */
  readonly images: Uint8Array;
}

export interface EmbedImagesOptions {
  batchSize?: number;
  /** Replaces `clip.visual`'s embedding (e.g. an adapted encoder with a projection); images arrive normalised; output [B, D]. */
  forward?: (images: tf.Tensor4D) => tf.Tensor;
}

/**
 * L2-normalised image embeddings of a byte image stack, row-major [size, dim]: bytes / 255,
 * the model's own mean/std, the image encoder (hooks installed on it take part, `forward`
 * replaces it), unit length. Batches are tidied: no tensor outlives a call.
 */
export async function embedImageBytes(
  clip: Pick<Clip, 'config' | 'visual'>,
  stack: ImageBytes,
  options: EmbedImagesOptions = {},
): Promise<{ data: Float32Array; rows: number; dim: number }> {
  const v = clip.config.vision;
  if (stack.height !== v.imageSize || stack.width !== v.imageSize || stack.channels !== v.channels)
    throw new Error(
      `model "${clip.config.name}" takes ${v.imageSize}x${v.imageSize}x${v.channels} images; ${stack.name ? `dataset "${stack.name}" has` : 'the images have'} ${stack.height}x${stack.width}x${stack.channels} (resize with @hotplug/data's transforms first)`,
    );
  const batchSize = options.batchSize ?? 256;
  const per = stack.height * stack.width * stack.channels;
  const forward = options.forward ?? ((x: tf.Tensor4D) => clip.visual.forward(x).embedding);
  // With a custom forward the width is known after the first batch.
  let dim = options.forward ? -1 : clip.config.embedDim;
  let out = new Float32Array(dim > 0 ? stack.size * dim : 0);
  for (let start = 0; start < stack.size; start += batchSize) {
    const n = Math.min(batchSize, stack.size - start);
    const emb = tf.tidy(() => {
      const bytes = stack.images.subarray(start * per, (start + n) * per);
      const x = tf.tensor4d(
        Float32Array.from(bytes, (b) => b / 255),
        [n, stack.height, stack.width, stack.channels],
      );
      const e = forward(normalizeImages(x, v));
      return tf.div(e, tf.norm(e, 'euclidean', -1, true));
    });
    if (dim < 0) {
      dim = emb.shape[1]!;
      out = new Float32Array(stack.size * dim);
    }
    out.set(await emb.data(), start * dim);
    emb.dispose();
  }
  return { data: out, rows: stack.size, dim: Math.max(dim, 0) };
}
