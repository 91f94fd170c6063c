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

/**
 * Image embeddings of a dataset as an L2-normalised [N, D] matrix tagged with the model id.
 * Pixels are scaled to [0, 1] and normalised with the model's own mean/std; adapters
 * installed on `clip.visual` (hooks) take part.
 */
export async function imageFeatures(model: Pick<EvaluatedModel, 'id' | 'clip'>, dataset: ImageDataset, batchSize = 256): Promise<FeatureMatrix> {
  const v = model.clip.config.vision;
  if (dataset.height !== v.imageSize || dataset.width !== v.imageSize || dataset.channels !== v.channels)
    throw new Error(`model "${model.id}" takes ${v.imageSize}x${v.imageSize}x${v.channels} images; dataset "${dataset.name}" has ${dataset.height}x${dataset.width}x${dataset.channels}`);
  const per = dataset.height * dataset.width * dataset.channels;
  const dim = model.clip.config.embedDim;
  const out = new Float32Array(dataset.size * dim);
  for (let start = 0; start < dataset.size; start += batchSize) {
    const n = Math.min(batchSize, dataset.size - start);
    const emb = tf.tidy(() => {
      const bytes = dataset.images.subarray(start * per, (start + n) * per);
      const x = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, dataset.height, dataset.width, dataset.channels]);
      const normed = tf.div(tf.sub(x, tf.tensor1d(v.mean)), tf.tensor1d(v.std)) as tf.Tensor4D;
      const e = model.clip.visual.forward(normed).embedding;
      return tf.div(e, tf.norm(e, 'euclidean', -1, true));
    });
    out.set(await emb.data(), start * dim);
    emb.dispose();
  }
  return featureMatrix(out, dataset.size, dim, model.id);
}
