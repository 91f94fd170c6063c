import * as tf from '@tensorflow/tfjs-core';
import type { Clip, Tokenizer } from '@hotplug/backbones';
import { accuracy, crossModelRetrieval } from '@hotplug/bench';
import { classPrompts, loadDataset, subset, type ImageDataset } from '@hotplug/data';
import { createHead, featureMatrix, type FeatureMatrix } from '@hotplug/heads';

export interface LoadedModel {
  id: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** Image embeddings of a dataset, L2-normalised, as a [N, D] matrix tagged with the model. */
export async function imageFeatures(model: LoadedModel, dataset: ImageDataset, batchSize = 256): Promise<FeatureMatrix> {
  const { mean, std } = model.clip.config.vision;
  const per = dataset.height * dataset.width * dataset.channels;
  const dim = model.clip.config.embedDim;
  const out = new Float32Array(dataset.size * dim);
  for (let start = 0; start < dataset.size; start += batchSize) {
    const n = Math.min(batchSize, dataset.size - start);
    const emb = tf.tidy(() => {
      const bytes = dataset.images.subarray(start * per, (start + n) * per);
      const x = tf.tensor4d(Float32Array.from(bytes, (b) => b / 255), [n, dataset.height, dataset.width, dataset.channels]);
      const normed = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
      const e = model.clip.visual.forward(normed).embedding;
      return tf.div(e, tf.norm(e, 'euclidean', -1, true));
    });
    out.set(await emb.data(), start * dim);
    emb.dispose();
  }
  return featureMatrix(out, dataset.size, dim, model.id);
}

/** Zero-shot class embeddings [C, D]: each class's prompts encoded, normalised, averaged, renormalised (CLIP's ensembling). */
export function zeroShotClassifier(model: LoadedModel, datasetName: string, textModel: LoadedModel = model): FeatureMatrix {
  const { prompts, classNames } = classPrompts(datasetName);
  const dim = textModel.clip.config.embedDim;
  const out = tf.tidy(() => {
    const rows = prompts.map((list) => {
      const ids = textModel.tokenizer.encodeBatch(list);
      const e = textModel.clip.text.encodeTokens(ids).embedding;
      const mean = tf.mean(tf.div(e, tf.norm(e, 'euclidean', -1, true)), 0);
      return tf.div(mean, tf.norm(mean));
    });
    return tf.stack(rows);
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return featureMatrix(new Float32Array(data), classNames.length, dim, textModel.id);
}

/** Arg-max of image·class similarities. */
export function zeroShotPredict(images: FeatureMatrix, classes: FeatureMatrix): Int32Array {
  if (images.dim !== classes.dim) throw new Error(`zero-shot: image features have ${images.dim} dims, class embeddings ${classes.dim}; they must come from one embedding space`);
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
    const pred = zeroShotPredict(feats[m.id]!.test, zeroShotClassifier(m, datasetName));
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
