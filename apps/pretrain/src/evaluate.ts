import { accuracy, crossModelRetrieval, imageFeatures, zeroShotClassifier, zeroShotPredict, type EvaluatedModel } from '@hotplug/bench';
import { classPrompts, loadDataset, subset, type ImageDataset } from '@hotplug/data';
import { createHead, type FeatureMatrix } from '@hotplug/heads';

export type LoadedModel = EvaluatedModel;

export interface DatasetFigures {
  dataset: string;
  zeroShot: Record<string, number>;
  linearProbe: Record<string, number>;
  /** Linear head trained on old features, applied to new features (no adapter). */
  oldHeadOnNew: number;
  /** Retrieval: new-model queries (test) against an old-model gallery (train subset). */
  retrievalNewOld: { top1: number; mAP: number };
  retrievalOldOld: { top1: number; mAP: number };
  retrievalNewNew: { top1: number; mAP: number };
  /** Zero-shot accuracy on the first `subsetSize` test images, reproduced by the package tests. */
  zeroShotSubset: Record<string, number>;
  subsetSize: number;
  chance: number;
}

export interface EvaluateOptions {
  /** Train images for the probes and the gallery (seeded stratified pick; default 5000). */
  trainSize?: number;
  /** Test images evaluated (default: the whole test split). */
  testSize?: number;
  subsetSize?: number;
  log?: (line: string) => void;
}

function firstN(dataset: ImageDataset, n: number | undefined): ImageDataset {
  if (n === undefined || n >= dataset.size) return dataset;
  return subset(dataset, Int32Array.from({ length: n }, (_, i) => i));
}

/** Every figure of the model card for one dataset, for the old and the new model. */
export async function evaluateDataset(datasetName: string, old: LoadedModel, next: LoadedModel, options: EvaluateOptions = {}): Promise<DatasetFigures> {
  const log = options.log ?? (() => {});
  const subsetSize = options.subsetSize ?? 500;
  const trainAll = loadDataset(datasetName, 'train');
  const stride = Math.max(1, Math.floor(trainAll.size / (options.trainSize ?? 5000)));
  const train = subset(trainAll, Int32Array.from({ length: Math.floor(trainAll.size / stride) }, (_, i) => i * stride));
  const test = firstN(loadDataset(datasetName, 'test'), options.testSize);
  const feats: Record<string, { train: FeatureMatrix; test: FeatureMatrix }> = {};
  for (const m of [old, next]) {
    log(`${datasetName}: encoding ${train.size} train + ${test.size} test images with ${m.id}`);
    feats[m.id] = { train: await imageFeatures(m, train), test: await imageFeatures(m, test) };
  }
  const zeroShot: Record<string, number> = {};
  const zeroShotSubset: Record<string, number> = {};
  const linearProbe: Record<string, number> = {};
  const heads: Record<string, ReturnType<typeof createHead>> = {};
  for (const m of [old, next]) {
    const pred = zeroShotPredict(feats[m.id]!.test, zeroShotClassifier(m, classPrompts(datasetName).prompts));
    zeroShot[m.id] = accuracy(pred, test.labels);
    zeroShotSubset[m.id] = accuracy(pred.subarray(0, subsetSize), test.labels.subarray(0, subsetSize));
    const head = createHead('linear', { epochs: 20, seed: 0 });
    await head.fit(feats[m.id]!.train, train.labels, { modelId: m.id, numClasses: test.classNames.length });
    linearProbe[m.id] = accuracy(head.predict(feats[m.id]!.test), test.labels);
    heads[m.id] = head;
  }
  // The incompatibility baseline: the old head fed new features, as a naive upgrade would.
  const oldHeadOnNew = accuracy(heads[old.id]!.predict({ ...feats[next.id]!.test, modelId: old.id }), test.labels);
  const retrieval = async (q: string, g: string) => {
    const r = await crossModelRetrieval({ features: feats[q]!.test, labels: test.labels }, { features: feats[g]!.train, labels: train.labels });
    return { top1: r.topK[1]!, mAP: r.mAP };
  };
  return {
    dataset: datasetName,
    zeroShot,
    linearProbe,
    oldHeadOnNew,
    retrievalNewOld: await retrieval(next.id, old.id),
    retrievalOldOld: await retrieval(old.id, old.id),
    retrievalNewNew: await retrieval(next.id, next.id),
    zeroShotSubset,
    subsetSize,
    chance: 1 / test.classNames.length,
  };
}
