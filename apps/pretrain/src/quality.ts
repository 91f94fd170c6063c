import * as tf from '@tensorflow/tfjs-core';
import { accuracy, imageFeatures, recallAtK, zeroShotClassifier, zeroShotPredict, type EvaluatedModel } from '@hotplug/bench';
import {
  getTask,
  listTasks,
  loadTask,
  oneVsRest,
  stratifiedSplit,
  subset,
  type ClassificationData,
  type ImageDataset,
  type ImageFormat,
  type TaskData,
} from '@hotplug/data';
import { averagePrecision, createHead, featureMatrix, type FeatureMatrix } from '@hotplug/heads';

/**
 * The model card's per-task figures. Every number comes from the shared evaluation code
 * (@hotplug/bench's encoder, zero-shot classifier, accuracy and recall; @hotplug/heads'
 * linear head); this file only decides which items each figure uses.
 *
 * Tasks hold test-split objects only, so a linear probe needs its own train items: every
 * classification task is split 50/50, stratified by class with a fixed seed; the probe
 * trains on one half, and both the probe and zero-shot are scored on the other half.
 */

export type TaskMetric = 'accuracy' | 'mAP' | 'recall@1';

export interface TaskFigures {
  task: string;
  kind: TaskData['kind'];
  metric: TaskMetric;
  /** Items scored (the held-out half for classification). */
  items: number;
  chance: number;
  /** Zero-shot (hand-written prompts through the model's own text encoder); for retrieval, recall@1. */
  zeroShot: Record<string, number>;
  /** Linear probe on the model's image embeddings (absent for retrieval). */
  linearProbe?: Record<string, number>;
  /** The same linear head on the preprocessed raw pixels (the bar a foundation model must beat). */
  rawPixels?: number;
  /**
   * The naive upgrade, per newer model: the old model's module fed the newer model's
   * features (linear head and zero-shot for classification, old gallery for retrieval, old
   * text encoder for text retrieval). A newer model of another embedding width is cut or
   * zero-padded to the old width, which is what running old code on it would do.
   */
  naive: Record<string, { linearProbe?: number; zeroShot: number }>;
}

export interface QualityOptions {
  /** Items per scene task (each task's default when absent). */
  sceneItems?: number;
  /** Fashion-MNIST's 10,000 test canvases are cut to this many (stratified, seeded). */
  maxItems?: number;
  /** Only these tasks (default: every registered task). */
  tasks?: string[];
  log?: (line: string) => void;
}

const PROBE = { epochs: 40, seed: 0 } as const;

/** Lets timers and I/O run between long synchronous pieces (test runners watch the event loop). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
const SPLIT_SEED = 0;

/** Features cut or zero-padded to `dim` (the naive reuse of a module built for another width). */
function toWidth(m: FeatureMatrix, dim: number, modelId: string): FeatureMatrix {
  if (m.dim === dim) return { ...m, modelId };
  const out = new Float32Array(m.rows * dim);
  const keep = Math.min(dim, m.dim);
  for (let r = 0; r < m.rows; r++) out.set(m.data.subarray(r * m.dim, r * m.dim + keep), r * dim);
  return featureMatrix(out, m.rows, dim, modelId);
}

function rowsOf(m: FeatureMatrix, idx: Int32Array): FeatureMatrix {
  const out = new Float32Array(idx.length * m.dim);
  idx.forEach((r, k) => {
    out.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), k * m.dim);
  });
  return featureMatrix(out, idx.length, m.dim, m.modelId);
}

function pick(labels: Int32Array, idx: Int32Array): Int32Array {
  return Int32Array.from(idx, (i) => labels[i]!);
}

/** The images as the model sees them (scaled and normalised with its mean/std), flattened. */
function rawPixelFeatures(data: ImageDataset, mean: readonly number[], std: readonly number[]): FeatureMatrix {
  const dim = data.height * data.width * data.channels;
  const out = new Float32Array(data.size * dim);
  for (let i = 0; i < out.length; i++) {
    const c = i % data.channels;
    out[i] = (data.images[i]! / 255 - mean[c]!) / std[c]!;
  }
  return featureMatrix(out, data.size, dim, 'pixels');
}

async function linearProbe(train: FeatureMatrix, trainLabels: Int32Array, test: FeatureMatrix, testLabels: Int32Array, numClasses: number) {
  const head = createHead('linear', PROBE);
  await head.fit(train, trainLabels, { modelId: train.modelId, numClasses });
  return { head, accuracy: accuracy(head.predict(test), testLabels) };
}

/** Similarity matrix rows·cols for L2-normalised features: [queries, gallery]. */
function similarities(q: FeatureMatrix, g: FeatureMatrix): Float32Array {
  return tf.tidy(() => tf.matMul(tf.tensor2d(q.data, [q.rows, q.dim]), tf.tensor2d(g.data, [g.rows, g.dim]), false, true).dataSync() as Float32Array);
}

/** Recall@1 of queries against a gallery where query i's relevant item is targets[i]. */
function recallAt1(q: FeatureMatrix, g: FeatureMatrix, targets: Int32Array): number {
  const s = similarities(q, g);
  const rankings = Array.from({ length: q.rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < g.rows; c++) if (s[r * g.rows + c]! > s[r * g.rows + best]!) best = c;
    return [best];
  });
  return recallAtK(
    rankings,
    Array.from(targets, (t) => new Set([t])),
    1,
  );
}

/** Text features of arbitrary strings (one embedding each), normalised, tagged with the model. */
function textFeatures(model: EvaluatedModel, texts: readonly string[]): Promise<FeatureMatrix> {
  return zeroShotClassifier(
    model,
    texts.map((t) => [t]),
  );
}

/** Relation prompts depend on the item: classify each image among its own four prompts. */
async function itemZeroShot(images: FeatureMatrix, model: EvaluatedModel, itemPrompts: readonly (readonly string[])[], idx: Int32Array): Promise<Int32Array> {
  const pred = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const classes = await textFeatures(model, itemPrompts[i]!);
    pred[k] = zeroShotPredict(rowsOf(images, Int32Array.of(i)), classes)[0]!;
  }
  return pred;
}

async function classificationFigures(data: ClassificationData, models: EvaluatedModel[], oldId: string, log: (l: string) => void): Promise<TaskFigures> {
  const split = stratifiedSplit(data.labels, { testFraction: 0.5, seed: SPLIT_SEED });
  const train = Int32Array.from(split.train);
  const test = Int32Array.from(split.test);
  const yTrain = pick(data.labels, train);
  const yTest = pick(data.labels, test);
  const k = data.classNames.length;
  const feats = new Map<string, FeatureMatrix>();
  for (const m of models) {
    log(`${data.task}: encoding ${data.size} images with ${m.id}`);
    feats.set(m.id, await imageFeatures(m, data));
    await breathe();
  }
  const zeroShot: Record<string, number> = {};
  const linear: Record<string, number> = {};
  const heads = new Map<string, Awaited<ReturnType<typeof linearProbe>>['head']>();
  const classifiers = new Map<string, FeatureMatrix>();
  for (const m of models) {
    const f = feats.get(m.id)!;
    if (data.itemPrompts) zeroShot[m.id] = accuracy(await itemZeroShot(f, m, data.itemPrompts, test), yTest);
    else {
      const cls = await zeroShotClassifier(m, data.prompts.prompts);
      classifiers.set(m.id, cls);
      zeroShot[m.id] = accuracy(zeroShotPredict(rowsOf(f, test), cls), yTest);
    }
    const probe = await linearProbe(rowsOf(f, train), yTrain, rowsOf(f, test), yTest, k);
    linear[m.id] = probe.accuracy;
    heads.set(m.id, probe.head);
    await breathe();
  }
  const old = models.find((m) => m.id === oldId)!;
  const raw = rawPixelFeatures(data, old.clip.config.vision.mean, old.clip.config.vision.std);
  const rawPixels = (await linearProbe(rowsOf(raw, train), yTrain, rowsOf(raw, test), yTest, k)).accuracy;
  const naive: TaskFigures['naive'] = {};
  const oldDim = old.clip.config.embedDim;
  for (const m of models) {
    if (m.id === oldId) continue;
    const asOld = toWidth(rowsOf(feats.get(m.id)!, test), oldDim, oldId);
    const zs = data.itemPrompts
      ? accuracy(await itemZeroShot(toWidth(feats.get(m.id)!, oldDim, oldId), old, data.itemPrompts, test), yTest)
      : accuracy(zeroShotPredict(asOld, classifiers.get(oldId)!), yTest);
    naive[m.id] = { linearProbe: accuracy(heads.get(oldId)!.predict(asOld), yTest), zeroShot: zs };
  }
  return { task: data.task, kind: 'classification', metric: 'accuracy', items: test.length, chance: 1 / k, zeroShot, linearProbe: linear, rawPixels, naive };
}

/** Mean over classes of the average precision of ranking the items by a score. */
function meanAveragePrecision(scores: Float32Array, rows: number, k: number, targets: Uint8Array, idx: Int32Array): number {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const order = Array.from({ length: rows }, (_, r) => r).sort((a, b) => scores[b * k + c]! - scores[a * k + c]!);
    sum += averagePrecision(order.map((r) => targets[idx[r]! * k + c] === 1));
  }
  return sum / k;
}

async function multiLabelFigures(
  data: Extract<TaskData, { kind: 'multi-label' }>,
  models: EvaluatedModel[],
  oldId: string,
  log: (l: string) => void,
): Promise<TaskFigures> {
  const k = data.classNames.length;
  // One split for all classes: stratified by object count keeps both halves alike.
  const counts = Int32Array.from(data.scenes, (s) => s.objects.length - 1);
  const split = stratifiedSplit(counts, { testFraction: 0.5, seed: SPLIT_SEED });
  const train = Int32Array.from(split.train);
  const test = Int32Array.from(split.test);
  const asDataset: ImageDataset = { ...data, labels: counts, classNames: ['1', '2', '3', '4'] };
  const feats = new Map<string, FeatureMatrix>();
  for (const m of models) {
    log(`${data.task}: encoding ${data.size} images with ${m.id}`);
    feats.set(m.id, await imageFeatures(m, asDataset));
  }
  const probeScores = async (f: FeatureMatrix, testRows: FeatureMatrix, heads?: Map<number, Awaited<ReturnType<typeof linearProbe>>['head']>) => {
    const out = new Float32Array(test.length * k);
    for (let c = 0; c < k; c++) {
      const view = oneVsRest(data, c);
      let head = heads?.get(c);
      if (!head) {
        head = createHead('linear', PROBE);
        await head.fit(rowsOf(f, train), pick(view.labels, train), { modelId: f.modelId, numClasses: 2 });
        heads?.set(c, head);
        await breathe();
      }
      const s = head.scores(testRows);
      for (let r = 0; r < test.length; r++) out[r * k + c] = s.data[r * 2 + 1]!;
    }
    return out;
  };
  const zeroShot: Record<string, number> = {};
  const linear: Record<string, number> = {};
  const oldHeads = new Map<number, Awaited<ReturnType<typeof linearProbe>>['head']>();
  for (const m of models) {
    const f = feats.get(m.id)!;
    const cls = await zeroShotClassifier(m, data.prompts.prompts);
    zeroShot[m.id] = meanAveragePrecision(similarities(rowsOf(f, test), cls), test.length, k, data.targets, test);
    linear[m.id] = meanAveragePrecision(await probeScores(f, rowsOf(f, test), m.id === oldId ? oldHeads : undefined), test.length, k, data.targets, test);
  }
  const old = models.find((m) => m.id === oldId)!;
  const raw = rawPixelFeatures(asDataset, old.clip.config.vision.mean, old.clip.config.vision.std);
  const rawPixels = meanAveragePrecision(await probeScores(raw, rowsOf(raw, test)), test.length, k, data.targets, test);
  const oldDim = old.clip.config.embedDim;
  const oldCls = await zeroShotClassifier(old, data.prompts.prompts);
  const naive: TaskFigures['naive'] = {};
  for (const m of models) {
    if (m.id === oldId) continue;
    const asOld = toWidth(rowsOf(feats.get(m.id)!, test), oldDim, oldId);
    naive[m.id] = {
      linearProbe: meanAveragePrecision(await probeScores(feats.get(oldId)!, asOld, oldHeads), test.length, k, data.targets, test),
      zeroShot: meanAveragePrecision(similarities(asOld, oldCls), test.length, k, data.targets, test),
    };
  }
  // Chance mAP: the mean prevalence of a class.
  let positives = 0;
  for (const i of test) for (let c = 0; c < k; c++) positives += data.targets[i * k + c]!;
  return {
    task: data.task,
    kind: 'multi-label',
    metric: 'mAP',
    items: test.length,
    chance: positives / (test.length * k),
    zeroShot,
    linearProbe: linear,
    rawPixels,
    naive,
  };
}

const batchDataset = (name: string, b: { size: number; height: number; width: number; channels: number; images: Uint8Array }): ImageDataset => ({
  name,
  split: 'test',
  size: b.size,
  height: b.height,
  width: b.width,
  channels: b.channels,
  images: b.images,
  labels: new Int32Array(b.size),
  classNames: ['item'],
});

async function retrievalFigures(
  data: Extract<TaskData, { kind: 'image-retrieval' | 'text-retrieval' }>,
  models: EvaluatedModel[],
  oldId: string,
  log: (l: string) => void,
): Promise<TaskFigures> {
  const gallery = new Map<string, FeatureMatrix>();
  const queries = new Map<string, FeatureMatrix>();
  for (const m of models) {
    log(`${data.task}: encoding ${data.gallery.size} gallery items and the queries with ${m.id}`);
    gallery.set(m.id, await imageFeatures(m, batchDataset('gallery', data.gallery)));
    await breathe();
    queries.set(m.id, data.kind === 'image-retrieval' ? await imageFeatures(m, batchDataset('queries', data.queries)) : await textFeatures(m, data.queries));
  }
  const zeroShot: Record<string, number> = {};
  for (const m of models) zeroShot[m.id] = recallAt1(queries.get(m.id)!, gallery.get(m.id)!, data.targets);
  const old = models.find((m) => m.id === oldId)!;
  const oldDim = old.clip.config.embedDim;
  const naive: TaskFigures['naive'] = {};
  for (const m of models) {
    if (m.id === oldId) continue;
    // Image->image: new-model queries against the stored old gallery. Text->image: old text
    // encoder's queries against a gallery the new image encoder embedded.
    naive[m.id] = {
      zeroShot:
        data.kind === 'image-retrieval'
          ? recallAt1(toWidth(queries.get(m.id)!, oldDim, oldId), gallery.get(oldId)!, data.targets)
          : recallAt1(queries.get(oldId)!, toWidth(gallery.get(m.id)!, oldDim, oldId), data.targets),
    };
  }
  return { task: data.task, kind: data.kind, metric: 'recall@1', items: data.targets.length, chance: 1 / data.gallery.size, zeroShot, naive };
}

/** Every registered downstream task, evaluated for every model; `oldId` names the old model. */
export async function taskQuality(models: EvaluatedModel[], oldId: string, format: ImageFormat, options: QualityOptions = {}): Promise<TaskFigures[]> {
  const log = options.log ?? (() => {});
  const out: TaskFigures[] = [];
  for (const name of options.tasks ?? listTasks()) {
    const task = getTask(name);
    const isDataset = name === 'fashion-mnist' || name === 'mnist';
    let data = loadTask(name, { format, ...(isDataset || options.sceneItems === undefined ? {} : { size: options.sceneItems }) });
    if (data.kind === 'classification' && options.maxItems !== undefined && data.size > options.maxItems) {
      const keep = Int32Array.from(stratifiedSplit(data.labels, { testFraction: options.maxItems / data.size, seed: SPLIT_SEED }).test);
      data = { ...data, ...subset(data, keep), kind: 'classification', task: data.task, prompts: data.prompts } as ClassificationData;
    }
    log(`task ${name} (${task.kind})`);
    await breathe();
    if (data.kind === 'classification') out.push(await classificationFigures(data, models, oldId, log));
    else if (data.kind === 'multi-label') out.push(await multiLabelFigures(data, models, oldId, log));
    else out.push(await retrievalFigures(data, models, oldId, log));
  }
  return out;
}
