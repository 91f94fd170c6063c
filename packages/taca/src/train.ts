import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tfjsOps } from '@hotplug/backbones';
import { sha256 } from '@hotplug/runtime';
import { StepSampler, Trainer, type StepRecord, type TrainingRecipe, type TrainSummary } from '@hotplug/train';
import type { AdaptedEncoder } from './adapted-encoder';
import { gatherRows, imageBatch, range, type ImageCaptionSet } from './images';
import { hybridLoss, TACA_LOSS_DEFAULTS, type HybridLossConfig } from './losses';
import type { TeacherFeatures } from './teacher';

/** A training run as data. */
export interface TacaTrainingConfig extends TrainingRecipe {
  loss: HybridLossConfig;
}

export const TACA_TRAINING_DEFAULTS: TacaTrainingConfig = {
  steps: 300,
  batchSize: 64,
  lr: 1e-3,
  warmupSteps: 20,
  weightDecay: 0,
  clipGradNorm: 1,
  seed: 0,
  loss: TACA_LOSS_DEFAULTS,
};

export interface TrainAdapterOptions {
  encoder: AdaptedEncoder;
  /** The task-agnostic caption corpus (the same rows the teacher features were computed on). */
  corpus: ImageCaptionSet;
  teacher: TeacherFeatures;
  /** Old zero-shot classifier [classes, dim] row-major; needed when loss.influence > 0. */
  classifier?: Float32Array;
  config?: Partial<TacaTrainingConfig>;
  /** Checkpoints (`ckpt/`) and metrics (`metrics.jsonl`); rerunning with the same folder resumes. */
  runDir?: string;
  checkpointEvery?: number;
  /** Discard a checkpoint in runDir made with another configuration (otherwise ConfigMismatchError) and train afresh. */
  restart?: boolean;
  progress?: boolean;
  label?: string;
  onStep?: (record: StepRecord) => void;
}

export interface TrainAdapterResult {
  summary: TrainSummary;
  config: TacaTrainingConfig;
  /** Trainable adapter scalars and the frozen encoder's scalars. */
  adapterParameters: number;
  backboneParameters: number;
}

/** Fingerprint of every backbone variable, to prove training left the backbone untouched. */
export function weightsFingerprint(weights: ReadonlyMap<string, tf.Variable>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, v] of weights) out.set(name, sha256(new Uint8Array((v.dataSync() as Float32Array).slice().buffer)));
  return out;
}

/**
 * Trains the adapter (and only the adapter) on the caption corpus against the cached old
 * features. The backbone is frozen, its variables are fingerprinted before and checked
 * bit-identical after; a change throws. For output-only adapters (no hooks: `projection`)
 * the frozen encoder runs once per corpus row instead of once per step.
 */
export async function trainAdapter(options: TrainAdapterOptions): Promise<TrainAdapterResult> {
  const { encoder, corpus, teacher } = options;
  const config: TacaTrainingConfig = { ...TACA_TRAINING_DEFAULTS, ...options.config, loss: { ...TACA_LOSS_DEFAULTS, ...options.config?.loss } };
  const oldDim = encoder.embedDim;
  if (teacher.dim !== oldDim)
    throw new Error(
      `the old features have ${teacher.dim} dims but the adapted encoder outputs ${oldDim}; build the adapter with the old model's embedding dimension`,
    );
  if (teacher.rows !== corpus.size)
    throw new Error(`teacher features cover ${teacher.rows} rows but the corpus has ${corpus.size}; compute them on this corpus`);
  if (config.loss.influence > 0 && !options.classifier)
    throw new Error('loss.influence > 0 needs the old zero-shot classifier (options.classifier, from textClassifier)');

  const backbone = encoder.visual.namedWeights();
  encoder.visual.freeze();
  const before = weightsFingerprint(backbone);
  const norm = { mean: encoder.visual.config.vision.mean, std: encoder.visual.config.vision.std };
  const cachedNew = encoder.adapter.hooks ? null : await newEmbeddings(encoder, corpus, norm);
  const classifier = options.classifier ? tf.tensor2d(options.classifier, [options.classifier.length / oldDim, oldDim]) : undefined;
  const sampler = new StepSampler(corpus.size, config.batchSize, config.seed);
  const trainer = new Trainer(new Map(encoder.adapter.params), {
    totalSteps: config.steps,
    schedule: { lr: config.lr, warmupSteps: config.warmupSteps, kind: 'cosine', minLrRatio: 0.05 },
    optimizer: { weightDecay: config.weightDecay },
    clipGradNorm: config.clipGradNorm,
    checkpoint: options.runDir ? { dir: join(options.runDir, 'ckpt'), every: options.checkpointEvery ?? 50 } : undefined,
    logFile: options.runDir ? join(options.runDir, 'metrics.jsonl') : undefined,
    label: options.label ?? encoder.adapter.config.variant,
    progress: options.progress,
    restart: options.restart,
    // What a resumed run must share with the killed one: recipe, adapter, data order, frozen model, teacher targets.
    run: {
      recipe: config,
      adapter: { config: encoder.adapter.config, target: encoder.adapter.target },
      data: { order: sampler.fingerprint(), teacher: sha256(new Uint8Array(teacher.image.buffer, teacher.image.byteOffset, teacher.image.byteLength)) },
      model: { backbone: sha256([...before].map(([n, h]) => `${n}:${h}`).join(';')) },
    },
  });
  try {
    const summary = await trainer.fit((step) => {
      const rows = sampler.batch(step);
      const adapted = cachedNew
        ? (encoder.adapter.project(tfjsOps, gatherRows(cachedNew, encoder.visual.embedDim, rows)) as tf.Tensor2D)
        : encoder.forward(imageBatch(corpus, rows, norm));
      return hybridLoss(
        {
          adapted,
          oldImage: gatherRows(teacher.image, oldDim, rows),
          oldText: config.loss.contrastive > 0 ? gatherRows(teacher.text, oldDim, rows) : undefined,
          classifier,
        },
        config.loss,
      );
    }, options.onStep);
    const after = weightsFingerprint(backbone);
    const changed = [...before].filter(([name, hash]) => after.get(name) !== hash).map(([name]) => name);
    if (changed.length)
      throw new Error(`training changed ${changed.length} backbone weights (${changed.slice(0, 3).join(', ')}...); only adapter parameters may train`);
    return {
      summary,
      config,
      adapterParameters: encoder.adapter.parameterCount(),
      backboneParameters: [...backbone.values()].reduce((n, v) => n + v.size, 0),
    };
  } finally {
    trainer.dispose();
    classifier?.dispose();
  }
}

/** The frozen new encoder's embeddings of every corpus row (without the adapter's projection). */
async function newEmbeddings(encoder: AdaptedEncoder, corpus: ImageCaptionSet, norm: { mean: number[]; std: number[] }): Promise<Float32Array> {
  const dim = encoder.visual.embedDim;
  const out = new Float32Array(corpus.size * dim);
  const batch = 256;
  for (let start = 0; start < corpus.size; start += batch) {
    const n = Math.min(batch, corpus.size - start);
    const images = imageBatch(corpus, range(start, n), norm);
    const emb = await encoder.visual.encode(images, { batchSize: batch });
    out.set(await emb.data(), start * dim);
    tf.dispose([images, emb]);
  }
  return out;
}
