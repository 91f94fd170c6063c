import * as tf from '@tensorflow/tfjs-core';
import type { Clip, Tokenizer } from '@hotplug/backbones';
import type { ImageDataset } from '@hotplug/data';
import { featureMatrix, type FeatureMatrix } from '@hotplug/heads';

/** A model under evaluation: its id tags every feature matrix it produces. */
export interface EvaluatedModel {
  id: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** What imageFeatures encodes with: a model, and optionally another forward pass over its normalised images. */
export interface ImageFeatureSource extends Pick<EvaluatedModel, 'id' | 'clip'> {
  /** Replaces clip.visual's embedding (e.g. an adapted encoder that also projects); output [B, D]. */
  forward?: (images: tf.Tensor4D) => tf.Tensor;
}

/**
 * Image embeddings of a dataset as an L2-normalised [N, D] matrix tagged with the model id.
 * Pixels are scaled to [0, 1] and normalised with the model's own mean/std; adapters
 * installed on `clip.visual` (hooks) take part, and `forward` replaces the encoder outright.
 */
export async function imageFeatures(model: ImageFeatureSource, dataset: ImageDataset, batchSize = 256): Promise<FeatureMatrix> {
  const v = model.clip.config.vision;
  if (dataset.height !== v.imageSize || dataset.width !== v.imageSize || dataset.channels !== v.channels)
    throw new Error(`model "${model.id}" takes ${v.imageSize}x${v.imageSize}x${v.channels} images; dataset "${dataset.name}" has ${dataset.height}x${dataset.width}x${dataset.channels}`);
  const per = dataset.height * dataset.width * dataset.channels;
  const forward = model.forward ?? ((x: tf.Tensor4D) => model.clip.visual.forward(x).embedding);
  let dim = model.forward ? -1 : model.clip.config.embedDim;
  let out = new Float32Array(dim > 0 ? dataset.size * dim : 0);
  for (let start = 0; start < dataset.size; start += batchSize) {
    const n = Math.min(batchSize, dataset.size - start);
    const emb = tf.tidy(() => {
      const bytes = dataset.images.subarray(start * per, (start + n) * per);
      const x = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, dataset.height, dataset.width, dataset.channels]);
      const normed = tf.div(tf.sub(x, tf.tensor1d(v.mean)), tf.tensor1d(v.std)) as tf.Tensor4D;
      const e = forward(normed);
      return tf.div(e, tf.norm(e, 'euclidean', -1, true));
    });
    if (dim < 0) {
      dim = emb.shape[1]!;
      out = new Float32Array(dataset.size * dim);
    }
    out.set(await emb.data(), start * dim);
    emb.dispose();
  }
  return featureMatrix(out, dataset.size, Math.max(dim, 0), model.id);
}
