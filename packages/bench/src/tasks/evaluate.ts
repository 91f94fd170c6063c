import * as tf from '@tensorflow/tfjs-core';
import type { ClassificationData, ImageDataset, MultiLabelData, TaskData, TaskKind } from '@hotplug/data';
import { createHead, featureMatrix, type ClassifierHead, type FeatureMatrix } from '@hotplug/heads';
import { InputError } from '@hotplug/runtime';
import { correctness } from '../metrics/accuracy';
import type { EvaluatedModel } from '../features/encode';
import { zeroShotClassifier, zeroShotPredict } from '../features/zeroshot';
import { presenceLabels, taskHalves, taskImageSets, type TaskPart } from './items';
import { meanAveragePrecision } from './map';

/**
 * A system evaluated on the downstream tasks: something that turns a task's images into
 * features in the reference model's space (the old model itself, new + adapter, new + map,
 * or the naive new model when its width matches).
 */
export interface TaskSystem {
  id: string;
  /** Features of every image of `images` (a part of the task, in the task's order), L2-normalised. */
  features(part: TaskPart, images: ImageDataset): Promise<FeatureMatrix>;
}

/** The reference: the system whose features build the modules, and the model whose text encoder writes the prompts and caption queries. */
export interface TaskReference {
  /** Id of the reference system in the systems list (its features train the probe and form the image gallery). */
  system: string;
  model: EvaluatedModel;
}

/**
 * The old model's modules a task has:
 * - linear-probe: a linear head (one-vs-rest heads for multi-label) trained on the reference's features of the train half;
 * - zero-shot: the reference text encoder's prompt-ensembled classifier;
 * - retrieval: image→image, the reference gallery searched with each system's queries; text→image, the reference text encoder's caption embeddings searched in each system's gallery.
 */
export type TaskModule = 'linear-probe' | 'zero-shot' | 'retrieval';
export type TaskMetric = 'accuracy' | 'mAP' | 'recall@1';

export interface TaskEvaluationOptions {
  /** Modules to score (default every module of the task's kind). */
  modules?: readonly TaskModule[];
  /** The probe's training (default 40 epochs, seed 0). */
  probe?: { epochs?: number; seed?: number };
  log?: (line: string) => void;
}

/** One system's figure under one module. */
export interface TaskSystemScore {
  system: string;
  /** The figure; null when the module cannot take the system's features (`reason` says why). */
  value: number | null;
  reason?: string;
  /** Per scored item: 1/0 correctness (classification), 1/0 hit at rank 1 (retrieval); what the paired bootstrap resamples. */
  perItem?: number[];
  /** Multi-label: the module's class scores of the scored items [items × classes]. */
  scores?: number[];
}

/** A module of a task scored on every system (plain JSON: a cache can store it). */
export interface TaskModuleEvaluation {
  task: string;
  kind: TaskKind;
  module: TaskModule;
  metric: TaskMetric;
  reference: string;
  /** Items scored (the test half for classification and multi-label, the queries for retrieval). */
  items: number;
  chance: number;
  /** Multi-label: classes and the 0/1 targets of the scored items [items × classes]. */
  classes?: number;
  targets?: number[];
  systems: TaskSystemScore[];
}

const MODULES: Record<TaskKind, TaskModule[]> = {
  classification: ['linear-probe', 'zero-shot'],
  'multi-label': ['linear-probe', 'zero-shot'],
  'image-retrieval': ['retrieval'],
  'text-retrieval': ['retrieval'],
};

const DEFAULT_PROBE = { epochs: 40, seed: 0 };

/** Lets timers and I/O run between long synchronous pieces (test runners and progress bars watch the event loop). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

function rowsOf(m: FeatureMatrix, idx: Int32Array, modelId = m.modelId): FeatureMatrix {
  const out = new Float32Array(idx.length * m.dim);
  idx.forEach((r, k) => {
    out.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), k * m.dim);
  });
  return featureMatrix(out, idx.length, m.dim, modelId);
}

const pick = (labels: ArrayLike<number>, idx: Int32Array) => Int32Array.from(idx, (i) => labels[i]!);

/** Similarity matrix [queries, classes] of L2-normalised rows. */
function similarities(q: FeatureMatrix, g: FeatureMatrix): Float32Array {
  return tf.tidy(() => tf.matMul(tf.tensor2d(q.data, [q.rows, q.dim]), tf.tensor2d(g.data, [g.rows, g.dim]), false, true).dataSync() as Float32Array);
}

// Queries per similarity block: the embedded tasks' 1,000 queries go in one product.
const CHUNK = 4096;

/**
 * Per query, 1 when its nearest gallery item (largest dot product, ties to the earlier item)
 * is its target. The features are taken as given (the systems deliver L2-normalised rows), so
 * a naive reuse that cuts another model's features to the old width is scored as old code
 * would score it, without renormalising.
 */
export function recallAt1Hits(q: FeatureMatrix, g: FeatureMatrix, targets: ArrayLike<number>): Uint8Array {
  if (targets.length !== q.rows) throw new InputError(`${q.rows} queries but ${targets.length} targets: give one target gallery index per query`);
  if (g.rows === 0) throw new InputError('recall@1 needs at least one gallery item');
  const hits = new Uint8Array(q.rows);
  for (let start = 0; start < q.rows; start += CHUNK) {
    const n = Math.min(CHUNK, q.rows - start);
    const s = similarities(featureMatrix(q.data.subarray(start * q.dim, (start + n) * q.dim), n, q.dim), g);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < g.rows; c++) if (s[r * g.rows + c]! > s[r * g.rows + best]!) best = c;
      hits[start + r] = best === targets[start + r] ? 1 : 0;
    }
  }
  return hits;
}

/** Text features of arbitrary strings (one embedding each, normalised), tagged with the model. */
function textFeatures(model: EvaluatedModel, texts: readonly string[]): Promise<FeatureMatrix> {
  return zeroShotClassifier(
    model,
    texts.map((t) => [t]),
  );
}

const widthReason = (system: string, got: number, want: number, reference: string) =>
  `${system} gives ${got}-d features, the modules of ${reference} take ${want}-d; a module built on one space cannot read another width`;

interface Encoded {
  feats: Map<string, FeatureMatrix>;
}

async function encodeAll(data: TaskData, part: TaskPart, systems: readonly TaskSystem[], log: (l: string) => void): Promise<Encoded> {
  const images = taskImageSets(data)[part];
  if (!images) throw new InputError(`task ${data.task} (${data.kind}) has no ${part} to encode`);
  const feats = new Map<string, FeatureMatrix>();
  for (const s of systems) {
    log(`${data.task}: encoding ${images.size} ${part} with ${s.id}`);
    const f = await s.features(part, images);
    if (f.rows !== images.size) throw new InputError(`system ${s.id} returned ${f.rows} feature rows for ${images.size} ${part} of task ${data.task}`);
    feats.set(s.id, f);
    await breathe();
  }
  return { feats };
}

/**
 * Scores every module of a task on every system. The modules are the reference's: the
 * probe trains on the reference system's features of the train half (taskHalves), the
 * zero-shot classifier and the caption queries come from the reference model's text
 * encoder, the image gallery is the reference system's. A system whose features have
 * another width gets value null ("cannot run").
 */
export async function evaluateTask(
  data: TaskData,
  reference: TaskReference,
  systems: readonly TaskSystem[],
  options: TaskEvaluationOptions = {},
): Promise<TaskModuleEvaluation[]> {
  if (!systems.some((s) => s.id === reference.system))
    throw new InputError(`the reference system "${reference.system}" is not among the systems (${systems.map((s) => s.id).join(', ')}); list it too`);
  const modules = (options.modules ?? MODULES[data.kind]).filter((m) => MODULES[data.kind].includes(m));
  const log = options.log ?? (() => {});
  const probe = { ...DEFAULT_PROBE, ...options.probe };
  if (data.kind === 'classification') return classification(data, reference, systems, modules, probe, log);
  if (data.kind === 'multi-label') return multiLabel(data, reference, systems, modules, probe, log);
  return retrieval(data, reference, systems, log);
}

type Probe = typeof DEFAULT_PROBE;

async function fitHead(train: FeatureMatrix, labels: Int32Array, numClasses: number, probe: Probe): Promise<ClassifierHead> {
  const head = createHead('linear', probe);
  await head.fit(train, labels, { modelId: train.modelId, numClasses });
  return head;
}

function base(data: TaskData, module: TaskModule, metric: TaskMetric, reference: TaskReference, items: number, chance: number) {
  return { task: data.task, kind: data.kind, module, metric, reference: reference.system, items, chance };
}

async function classification(
  data: ClassificationData,
  reference: TaskReference,
  systems: readonly TaskSystem[],
  modules: TaskModule[],
  probe: Probe,
  log: (l: string) => void,
): Promise<TaskModuleEvaluation[]> {
  const { train, test } = taskHalves(data)!;
  const yTrain = pick(data.labels, train);
  const yTest = pick(data.labels, test);
  const k = data.classNames.length;
  const { feats } = await encodeAll(data, 'images', systems, log);
  const ref = feats.get(reference.system)!;
  const out: TaskModuleEvaluation[] = [];
  const score = (s: TaskSystem, predict: (rows: FeatureMatrix) => Int32Array): TaskSystemScore => {
    const f = feats.get(s.id)!;
    if (f.dim !== ref.dim) return { system: s.id, value: null, reason: widthReason(s.id, f.dim, ref.dim, reference.system) };
    const hits = correctness(predict(rowsOf(f, test, ref.modelId)), yTest);
    return { system: s.id, value: hits.reduce((a, b) => a + b, 0) / hits.length, perItem: Array.from(hits) };
  };
  for (const module of modules) {
    if (module === 'linear-probe') {
      const head = await fitHead(rowsOf(ref, train), yTrain, k, probe);
      out.push({ ...base(data, module, 'accuracy', reference, test.length, 1 / k), systems: systems.map((s) => score(s, (rows) => head.predict(rows))) });
    } else if (module === 'zero-shot') {
      let predict: (rows: FeatureMatrix) => Int32Array;
      let textDim: number;
      if (data.itemPrompts) {
        // Relation prompts depend on the item: each image is classified among its own prompts.
        const perItem: FeatureMatrix[] = [];
        for (const i of test) perItem.push(await textFeatures(reference.model, data.itemPrompts[i]!));
        predict = (rows) => Int32Array.from(perItem, (cls, r) => zeroShotPredict(rowsOf(rows, Int32Array.of(r)), cls)[0]!);
        textDim = perItem[0]?.dim ?? ref.dim;
      } else {
        const cls = await zeroShotClassifier(reference.model, data.prompts.prompts);
        predict = (rows) => zeroShotPredict(rows, cls);
        textDim = cls.dim;
      }
      out.push({
        ...base(data, module, 'accuracy', reference, test.length, 1 / k),
        systems: systems.map((s) => {
          const f = feats.get(s.id)!;
          return f.dim !== textDim ? { system: s.id, value: null, reason: widthReason(s.id, f.dim, textDim, reference.system) } : score(s, predict);
        }),
      });
    }
    await breathe();
  }
  return out;
}

async function multiLabel(
  data: MultiLabelData,
  reference: TaskReference,
  systems: readonly TaskSystem[],
  modules: TaskModule[],
  probe: Probe,
  log: (l: string) => void,
): Promise<TaskModuleEvaluation[]> {
  const k = data.classNames.length;
  const { train, test } = taskHalves(data)!;
  const { feats } = await encodeAll(data, 'images', systems, log);
  const ref = feats.get(reference.system)!;
  const targets = new Array<number>(test.length * k);
  test.forEach((i, r) => {
    for (let c = 0; c < k; c++) targets[r * k + c] = data.targets[i * k + c]!;
  });
  let positives = 0;
  for (const t of targets) positives += t;
  const chance = positives / (test.length * k);
  const out: TaskModuleEvaluation[] = [];
  const score = (s: TaskSystem, want: number, scoresOf: (rows: FeatureMatrix) => Float32Array): TaskSystemScore => {
    const f = feats.get(s.id)!;
    if (f.dim !== want) return { system: s.id, value: null, reason: widthReason(s.id, f.dim, want, reference.system) };
    const scores = scoresOf(rowsOf(f, test, ref.modelId));
    return { system: s.id, value: meanAveragePrecision({ rows: test.length, classes: k, scores, targets }), scores: Array.from(scores) };
  };
  for (const module of modules) {
    if (module === 'linear-probe') {
      const heads: ClassifierHead[] = [];
      for (let c = 0; c < k; c++) {
        heads.push(await fitHead(rowsOf(ref, train), pick(presenceLabels(data, c), train), 2, probe));
        await breathe();
      }
      const scoresOf = (rows: FeatureMatrix) => {
        const outScores = new Float32Array(rows.rows * k);
        heads.forEach((h, c) => {
          const s = h.scores(rows);
          for (let r = 0; r < rows.rows; r++) outScores[r * k + c] = s.data[r * 2 + 1]!;
        });
        return outScores;
      };
      out.push({ ...base(data, module, 'mAP', reference, test.length, chance), classes: k, targets, systems: systems.map((s) => score(s, ref.dim, scoresOf)) });
    } else if (module === 'zero-shot') {
      const cls = await zeroShotClassifier(reference.model, data.prompts.prompts);
      out.push({
        ...base(data, module, 'mAP', reference, test.length, chance),
        classes: k,
        targets,
        systems: systems.map((s) => score(s, cls.dim, (rows) => similarities(rows, cls))),
      });
    }
    await breathe();
  }
  return out;
}

async function retrieval(
  data: Extract<TaskData, { kind: 'image-retrieval' | 'text-retrieval' }>,
  reference: TaskReference,
  systems: readonly TaskSystem[],
  log: (l: string) => void,
): Promise<TaskModuleEvaluation[]> {
  const n = data.targets.length;
  const recall = async (q: FeatureMatrix, g: FeatureMatrix): Promise<TaskSystemScore> => {
    const hits = recallAt1Hits(q, g, data.targets);
    await breathe();
    return { system: '', value: hits.reduce((a, b) => a + b, 0) / hits.length, perItem: Array.from(hits) };
  };
  const scores: TaskSystemScore[] = [];
  if (data.kind === 'image-retrieval') {
    const gallery = (
      await encodeAll(
        data,
        'gallery',
        systems.filter((s) => s.id === reference.system),
        log,
      )
    ).feats.get(reference.system)!;
    const { feats } = await encodeAll(data, 'queries', systems, log);
    for (const s of systems) {
      const q = feats.get(s.id)!;
      scores.push(
        q.dim !== gallery.dim
          ? { system: s.id, value: null, reason: widthReason(s.id, q.dim, gallery.dim, reference.system) }
          : { ...(await recall(q, gallery)), system: s.id },
      );
    }
  } else {
    log(`${data.task}: encoding ${n} caption queries with ${reference.model.id}'s text encoder`);
    const queries = await textFeatures(reference.model, data.queries);
    const { feats } = await encodeAll(data, 'gallery', systems, log);
    for (const s of systems) {
      const g = feats.get(s.id)!;
      scores.push(
        g.dim !== queries.dim
          ? { system: s.id, value: null, reason: widthReason(s.id, g.dim, queries.dim, reference.system) }
          : { ...(await recall(queries, g)), system: s.id },
      );
    }
  }
  return [{ ...base(data, 'retrieval', 'recall@1', reference, n, 1 / data.gallery.size), systems: scores }];
}
