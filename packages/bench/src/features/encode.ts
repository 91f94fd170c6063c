import type * as tf from '@tensorflow/tfjs-core';
import { embedImageBytes, type Clip, type Tokenizer } from '@hotplug/backbones';
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
  const { data, rows, dim } = await embedImageBytes({ config: { ...model.clip.config, name: model.id }, visual: model.clip.visual }, dataset, {
    batchSize,
    forward: model.forward,
  });
  return featureMatrix(data, rows, dim, model.id);
}
