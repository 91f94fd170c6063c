import * as tf from '@tensorflow/tfjs-core';
import { featureMatrix, type FeatureMatrix } from '@hotplug/heads';
import type { EvaluatedModel } from './encode';

/**
 * Zero-shot class embeddings [C, D] from hand-written prompts (prompts[c] = the prompts of
 * class c): each prompt encoded and normalised, averaged per class, renormalised — CLIP's
 * prompt ensembling. Tagged with the text model's id.
 */
export function zeroShotClassifier(model: EvaluatedModel, prompts: readonly (readonly string[])[]): FeatureMatrix {
  if (prompts.length === 0 || prompts.some((p) => p.length === 0)) throw new Error('zeroShotClassifier needs at least one prompt for every class');
  const dim = model.clip.config.embedDim;
  const out = tf.tidy(() => {
    const rows = prompts.map((list) => {
      const e = model.clip.text.encodeTokens(model.tokenizer.encodeBatch(list)).embedding;
      const mean = tf.mean(tf.div(e, tf.norm(e, 'euclidean', -1, true)), 0);
      return tf.div(mean, tf.norm(mean));
    });
    return tf.stack(rows);
  });
  const data = new Float32Array(out.dataSync());
  out.dispose();
  return featureMatrix(data, prompts.length, dim, model.id);
}

/** Arg-max over classes of image·class similarity. */
export function zeroShotPredict(images: FeatureMatrix, classes: FeatureMatrix): Int32Array {
  if (images.dim !== classes.dim)
    throw new Error(`zero-shot: image features (${images.modelId ?? 'unknown model'}) have ${images.dim} dims, class embeddings (${classes.modelId ?? 'unknown model'}) ${classes.dim}; both must live in one embedding space`);
  const pred = new Int32Array(images.rows);
  for (let r = 0; r < images.rows; r++) {
    let best = -Infinity;
    for (let c = 0; c < classes.rows; c++) {
      let s = 0;
      for (let d = 0; d < images.dim; d++) s += images.data[r * images.dim + d]! * classes.data[c * classes.dim + d]!;
      if (s > best) {
        best = s;
        pred[r] = c;
      }
    }
  }
  return pred;
}
