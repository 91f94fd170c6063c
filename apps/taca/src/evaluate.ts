import * as tf from '@tensorflow/tfjs-core';
import type { ImageEncoder } from '@hotplug/backbones';
import { accuracy, crossModelRetrieval, negativeFlips } from '@hotplug/bench';
import { classPrompts, loadDataset, subset, type ImageDataset } from '@hotplug/data';
import { createHead, featureMatrix, type FeatureMatrix } from '@hotplug/heads';
import { imageBatch, injectAdapter, loadAdapter, textClassifier, type Normalization, type Teacher } from '@hotplug/taca';
import type { LoadedModel } from './models';

/** One system (old, new without adapter, or new + an adapter) judged by the old model's downstream modules. */
export interface SystemFigures {
  /** The old linear head (trained on old features) applied to this system's test features. */
  oldHeadAccuracy: number;
  /** Old-head samples right before and wrong now, over all test samples. */
  negativeFlipRate: number;
  /** Queries from this system (test split) against the old gallery (train subset). */
  retrievalTop1: number;
  /** Zero-shot with the old model's text encoder. */
  zeroShot: number;
}

export interface DatasetResult {
  dataset: string;
  trainSize: number;
  testSize: number;
  systems: Record<string, SystemFigures | null>;
  /** New model with its own head and gallery: what a full re-index would reach. */
  newNew: { headAccuracy: number; retrievalTop1: number };
}

function strided(dataset: ImageDataset, n: number): ImageDataset {
  if (n >= dataset.size) return dataset;
  const stride = Math.max(1, Math.floor(dataset.size / n));
  return subset(
    dataset,
    Int32Array.from({ length: Math.min(n, Math.floor(dataset.size / stride)) }, (_, i) => i * stride),
  );
}

/** L2-normalised embeddings of a dataset through any image encoder. */
export async function encodeDataset(encoder: ImageEncoder, norm: Normalization, dataset: ImageDataset, id: string, batchSize = 256): Promise<FeatureMatrix> {
  const dim = encoder.embedDim;
  const out = new Float32Array(dataset.size * dim);
  for (let start = 0; start < dataset.size; start += batchSize) {
    const n = Math.min(batchSize, dataset.size - start);
    const images = imageBatch(
      dataset,
      Int32Array.from({ length: n }, (_, i) => start + i),
      norm,
    );
    const emb = await encoder.encode(images, { batchSize });
    const unit = tf.tidy(() => tf.div(emb, tf.maximum(tf.norm(emb, 'euclidean', -1, true), 1e-12)));
    out.set(await unit.data(), start * dim);
    tf.dispose([images, emb, unit]);
  }
  return featureMatrix(out, dataset.size, dim, id);
}

function zeroShotAccuracy(features: FeatureMatrix, classifier: Float32Array, labels: Int32Array): number {
  const classes = classifier.length / features.dim;
  const pred = new Int32Array(features.rows);
  for (let r = 0; r < features.rows; r++) {
    let best = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let d = 0; d < features.dim; d++) s += features.data[r * features.dim + d]! * classifier[c * features.dim + d]!;
      if (s > best) {
        best = s;
        pred[r] = c;
      }
    }
  }
  return accuracy(pred, labels);
}

/** Every figure of one dataset for the old model, the bare new model and each trained adapter. */
export async function evaluateDataset(
  name: string,
  old: LoadedModel,
  next: LoadedModel,
  teacher: Teacher,
  adapters: { variant: string; dir: string }[],
  sizes: { trainSize: number; testSize: number },
  log: (line: string) => void,
): Promise<DatasetResult> {
  const train = strided(loadDataset(name, 'train'), sizes.trainSize);
  // Strided picks: a split stored by class still gives every class.
  const test = strided(loadDataset(name, 'test'), sizes.testSize);
  const oldNorm = { mean: old.clip.config.vision.mean, std: old.clip.config.vision.std };
  const newNorm = { mean: next.clip.config.vision.mean, std: next.clip.config.vision.std };
  log(`${name}: ${train.size} train images (old head, gallery), ${test.size} test images`);
  const oldTrain = await encodeDataset(old.clip.visual, oldNorm, train, 'old');
  const oldTest = await encodeDataset(old.clip.visual, oldNorm, test, 'old');
  const head = createHead('linear', { epochs: 20, seed: 0 });
  await head.fit(oldTrain, train.labels, { modelId: 'old', numClasses: test.classNames.length });
  const oldPred = head.predict(oldTest);
  const classifier = await textClassifier(teacher, classPrompts(name).prompts);

  const judge = async (features: FeatureMatrix): Promise<SystemFigures> => {
    const pred = head.predict({ ...features, modelId: 'old' });
    const retrieval = await crossModelRetrieval({ features, labels: test.labels }, { features: oldTrain, labels: train.labels }, [1]);
    return {
      oldHeadAccuracy: accuracy(pred, test.labels),
      negativeFlipRate: negativeFlips(oldPred, pred, test.labels).negativeFlipRate,
      retrievalTop1: retrieval.topK[1]!,
      zeroShot: zeroShotAccuracy(features, classifier, test.labels),
    };
  };
  const systems: Record<string, SystemFigures | null> = { old: await judge(oldTest) };
  const newTest = await encodeDataset(next.clip.visual, newNorm, test, 'new');
  // The bare new model only fits the old modules when the dimensions happen to agree.
  systems['new (no adapter)'] = newTest.dim === oldTest.dim ? await judge(newTest) : null;
  for (const { variant, dir } of adapters) {
    const adapter = loadAdapter(dir, next.clip.visual);
    const encoder = injectAdapter(next.clip.visual, adapter);
    try {
      systems[`new + ${variant}`] = await judge(await encodeDataset(encoder, newNorm, test, `new+${variant}`));
    } finally {
      encoder.dispose();
      adapter.dispose();
    }
  }
  const newTrain = await encodeDataset(next.clip.visual, newNorm, train, 'new');
  const newHead = createHead('linear', { epochs: 20, seed: 0 });
  await newHead.fit(newTrain, train.labels, { modelId: 'new', numClasses: test.classNames.length });
  const newNewRetrieval = await crossModelRetrieval({ features: newTest, labels: test.labels }, { features: newTrain, labels: train.labels }, [1]);
  return {
    dataset: name,
    trainSize: train.size,
    testSize: test.size,
    systems,
    newNew: { headAccuracy: accuracy(newHead.predict(newTest), test.labels), retrievalTop1: newNewRetrieval.topK[1]! },
  };
}
