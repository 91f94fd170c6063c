import { cutTask, evaluateTask, imageFeatures, type EvaluatedModel, type TaskModuleEvaluation, type TaskPart, type TaskSystem } from '@hotplug/bench';
import { getTask, listTasks, loadTask, type ImageDataset, type ImageFormat, type TaskData } from '@hotplug/data';
import { featureMatrix, type FeatureMatrix } from '@hotplug/heads';

/**
 * The model card's per-task figures. Every number comes from @hotplug/bench's task
 * evaluation (evaluateTask: the seeded 50/50 stratified split, the linear probe, the
 * zero-shot classifier, recall@1); this file only chooses the card's figures from it:
 * each model with its own modules, the raw-pixel probe, and the naive upgrade.
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

/** Lets timers and I/O run between long synchronous pieces (test runners watch the event loop). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Features cut or zero-padded to `dim` (the naive reuse of a module built for another width). */
function toWidth(m: FeatureMatrix, dim: number, modelId: string): FeatureMatrix {
  if (m.dim === dim) return { ...m, modelId };
  const out = new Float32Array(m.rows * dim);
  const keep = Math.min(dim, m.dim);
  for (let r = 0; r < m.rows; r++) out.set(m.data.subarray(r * m.dim, r * m.dim + keep), r * dim);
  return featureMatrix(out, m.rows, dim, modelId);
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

/** A model's image features of each part of one task, encoded once. */
function encoderSystem(model: EvaluatedModel, memo: Map<string, Promise<FeatureMatrix>>): (part: TaskPart, images: ImageDataset) => Promise<FeatureMatrix> {
  return (part, images) => {
    const key = `${model.id}|${part}`;
    let f = memo.get(key);
    if (!f) {
      f = imageFeatures(model, images);
      memo.set(key, f);
    }
    return f;
  };
}

const figureOf = (evals: TaskModuleEvaluation[], module: TaskModuleEvaluation['module'], system: string): number | undefined => {
  const v = evals.find((e) => e.module === module)?.systems.find((s) => s.system === system)?.value;
  return v === null ? undefined : v;
};

async function taskFigures(data: TaskData, models: EvaluatedModel[], oldId: string, log: (l: string) => void): Promise<TaskFigures> {
  const old = models.find((m) => m.id === oldId)!;
  const oldDim = old.clip.config.embedDim;
  const memo = new Map<string, Promise<FeatureMatrix>>();
  const own = (m: EvaluatedModel): TaskSystem => ({ id: m.id, features: encoderSystem(m, memo) });
  // Old's modules on every model: old's own figures, and the newer models' naive upgrade (cut or padded to old's width).
  const naiveSystems = models
    .filter((m) => m.id !== oldId)
    .map((m): TaskSystem => ({ id: m.id, features: async (part, images) => toWidth(await encoderSystem(m, memo)(part, images), oldDim, oldId) }));
  const onOld = await evaluateTask(data, { system: oldId, model: old }, [own(old), ...naiveSystems], { log });
  const perModel = new Map<string, TaskModuleEvaluation[]>([[oldId, onOld]]);
  for (const m of models) {
    if (m.id === oldId) continue;
    perModel.set(m.id, await evaluateTask(data, { system: m.id, model: m }, [own(m)], { log }));
    await breathe();
  }
  const first = onOld[0]!;
  const labelled = data.kind === 'classification' || data.kind === 'multi-label';
  const mainModule = labelled ? 'zero-shot' : 'retrieval';
  const zeroShot: Record<string, number> = {};
  const linear: Record<string, number> = {};
  for (const m of models) {
    zeroShot[m.id] = figureOf(perModel.get(m.id)!, mainModule, m.id)!;
    if (labelled) linear[m.id] = figureOf(perModel.get(m.id)!, 'linear-probe', m.id)!;
  }
  const naive: TaskFigures['naive'] = {};
  for (const m of models) {
    if (m.id === oldId) continue;
    naive[m.id] = {
      ...(labelled ? { linearProbe: figureOf(onOld, 'linear-probe', m.id)! } : {}),
      zeroShot: figureOf(onOld, mainModule, m.id)!,
    };
  }
  let rawPixels: number | undefined;
  if (labelled) {
    // The same probe on the preprocessed pixels (old's mean/std): a reference "system" of its own.
    const pixels: TaskSystem = {
      id: 'pixels',
      features: async (_part, images) => rawPixelFeatures(images, old.clip.config.vision.mean, old.clip.config.vision.std),
    };
    rawPixels = figureOf(await evaluateTask(data, { system: 'pixels', model: old }, [pixels], { modules: ['linear-probe'], log }), 'linear-probe', 'pixels');
  }
  const zeroShotEval = onOld.find((e) => e.module === mainModule) ?? first;
  return {
    task: data.task,
    kind: data.kind,
    metric: zeroShotEval.metric,
    items: zeroShotEval.items,
    chance: zeroShotEval.chance,
    zeroShot,
    ...(labelled ? { linearProbe: linear, rawPixels } : {}),
    naive,
  };
}

/** Every registered downstream task, evaluated for every model; `oldId` names the old model. */
export async function taskQuality(models: EvaluatedModel[], oldId: string, format: ImageFormat, options: QualityOptions = {}): Promise<TaskFigures[]> {
  const log = options.log ?? (() => {});
  const out: TaskFigures[] = [];
  for (const name of options.tasks ?? listTasks()) {
    const task = getTask(name);
    const isDataset = name === 'fashion-mnist' || name === 'mnist';
    const data = cutTask(loadTask(name, { format, ...(isDataset || options.sceneItems === undefined ? {} : { size: options.sceneItems }) }), options.maxItems);
    log(`task ${name} (${task.kind})`);
    await breathe();
    out.push(await taskFigures(data, models, oldId, log));
  }
  return out;
}
