import * as tf from '@tensorflow/tfjs-core';
import type { CaptionCorpus } from '@hotplug/data';

/** What adapter training reads of a caption corpus: image bytes (NHWC uint8) with one caption per image. */
export type ImageCaptionSet = Pick<CaptionCorpus, 'size' | 'height' | 'width' | 'channels' | 'images' | 'captions'>;

export interface Normalization {
  mean: readonly number[];
  std: readonly number[];
}

/** Rows of a uint8 image set as a normalised float32 NHWC tensor: (x/255 - mean) / std per channel. */
export function imageBatch(set: Pick<ImageCaptionSet, 'height' | 'width' | 'channels' | 'images'>, rows: ArrayLike<number>, norm: Normalization): tf.Tensor4D {
  const { height, width, channels } = set;
  if (norm.mean.length !== channels || norm.std.length !== channels)
    throw new Error(`normalisation has ${norm.mean.length} means and ${norm.std.length} stds but the images have ${channels} channels`);
  const per = height * width * channels;
  const out = new Float32Array(rows.length * per);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r]! * per;
    if (base + per > set.images.length) throw new Error(`image row ${rows[r]} is out of range (the set has ${set.images.length / per} images)`);
    for (let i = 0; i < per; i++) {
      const c = i % channels;
      out[r * per + i] = (set.images[base + i]! / 255 - norm.mean[c]!) / norm.std[c]!;
    }
  }
  return tf.tensor4d(out, [rows.length, height, width, channels], 'float32');
}

/** Rows of a [N, dim] matrix as a tensor. */
export function gatherRows(data: Float32Array, dim: number, rows: ArrayLike<number>): tf.Tensor2D {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  return tf.tensor2d(out, [rows.length, dim], 'float32');
}

export function range(start: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => start + i);
}
