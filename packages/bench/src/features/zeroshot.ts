import { promptEnsemble, type ClassPromptSet, type PromptEnsembleOptions } from '@hotplug/backbones';
import { DimensionMismatchError, featureMatrix, type FeatureMatrix } from '@hotplug/heads';
import type { EvaluatedModel } from './encode';

/**
 * Zero-shot class embeddings [C, D] from hand-written prompts (prompts[c] = the prompts of
 * class c, or { classNames, templates } such as @hotplug/data's classPrompts()): CLIP's
 * prompt ensembling by @hotplug/backbones' promptEnsemble over the model's text encoder.
 * Tagged with the model's id.
 */
export async function zeroShotClassifier(model: EvaluatedModel, prompts: ClassPromptSet, options: PromptEnsembleOptions = {}): Promise<FeatureMatrix> {
  const { data, classes, dim } = await promptEnsemble(model.clip.text, model.tokenizer, prompts, options);
  return featureMatrix(data, classes, dim, model.id);
}

/** Arg-max over classes of image·class similarity (ties to the lower class). */
export function zeroShotPredict(images: FeatureMatrix, classes: FeatureMatrix): Int32Array {
  // The harness reads this error as "the module cannot take these features" (an n/a cell).
  if (images.dim !== classes.dim) throw new DimensionMismatchError('zero-shot classifier', classes.dim, images.dim, classes.modelId, images.modelId);
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
