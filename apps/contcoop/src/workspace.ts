import type { Workspace } from '@hotplug/app-bench';
import { accuracy, zeroShotClassifier, zeroShotPredict } from '@hotplug/bench';
import { PromptTarget, predictClasses, type ImageFeatures, type PromptLearner } from '@hotplug/contcoop';
import { fewShotIndices } from '@hotplug/data';

/*
 * The train / evaluate / diagnose commands on apps/bench's Workspace: the same images (train
 * pick, seeded stratified test sample), the same features and class prompts as the harness
 * behind `table` and hotplug-bench, so a learner trained here scores what the benchmark's cell
 * for it scores.
 */

/** A model of the workspace as a prompt target for a dataset's classes. */
export function promptTarget(ws: Workspace, model: string, dataset: string): PromptTarget {
  const prompts = ws.classPrompts(dataset);
  return new PromptTarget(ws.model(model), prompts.classNames, { zeroShotPrompts: prompts.prompts });
}

const asImageFeatures = (f: { features: { data: Float32Array; rows: number; dim: number }; labels: Int32Array }): ImageFeatures => ({
  data: f.features.data,
  rows: f.features.rows,
  dim: f.features.dim,
  labels: f.labels,
});

/** The k-shot examples (fewShotIndices over the workspace's train pick, as the benchmark draws them) as features of `model`. */
export async function fewShotFeatures(ws: Workspace, model: string, dataset: string, shots: number, seed: number, numClasses: number): Promise<ImageFeatures> {
  const train = await ws.features(model, dataset, 'train');
  const rows = fewShotIndices(train.labels, { shots, seed, numClasses });
  const dim = train.features.dim;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    data.set(train.features.data.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return { data, rows: rows.length, dim, labels: Int32Array.from(rows, (r) => train.labels[r]!) };
}

/** Accuracy of a learner's prompts on a model's test images (throws the learner's own error when it cannot run there). */
export async function promptAccuracy(ws: Workspace, learner: PromptLearner, model: string, dataset: string): Promise<{ accuracy: number; images: number }> {
  const test = await ws.features(model, dataset, 'test');
  const target = promptTarget(ws, model, dataset);
  try {
    return { accuracy: accuracy(predictClasses(learner, target, asImageFeatures(test)), test.labels), images: test.labels.length };
  } finally {
    target.dispose();
  }
}

/** The model's own zero-shot accuracy: @hotplug/bench's classifier (hand-written templates, ensembled per class). */
export async function zeroShotAccuracy(ws: Workspace, model: string, dataset: string): Promise<number> {
  const test = await ws.features(model, dataset, 'test');
  const classes = await zeroShotClassifier(ws.model(model), ws.classPrompts(dataset).prompts);
  return accuracy(zeroShotPredict(test.features, classes), test.labels);
}
