import * as tf from '@tensorflow/tfjs-core';
import { StepSampler, Trainer, type StepRecord, type TrainingRecipe, type TrainSummary } from '@hotplug/train';
import { sha256 } from '@hotplug/runtime';
import type { ImageFeatures } from './features';
import { classListIdentity, promptModelIdentity } from './state';
import type { PromptLearner } from './learner';
import type { PromptTarget } from './target';

/** How a prompt learner is trained, as data (batchSize: images per step, capped at the few-shot set's size). */
export interface PromptTrainConfig extends TrainingRecipe {
  /** Checkpoint folder: a rerun resumes from it. */
  checkpointDir?: string;
  checkpointEvery?: number;
  logFile?: string;
  progress?: boolean;
  label?: string;
  /** Discard a checkpoint in checkpointDir made with another configuration (otherwise ConfigMismatchError) and train afresh. */
  restart?: boolean;
  /** Called after every step (e.g. to watch memory or stop early by throwing). */
  onStep?: (record: StepRecord) => void;
}

export const PROMPT_TRAIN_DEFAULTS: PromptTrainConfig = { steps: 200, batchSize: 32, lr: 2e-3, warmupSteps: 10, weightDecay: 0, clipGradNorm: 1, seed: 0 };

/**
 * Trains only the learner's parameters (the target's model is frozen) on cached image features
 * through the shared Trainer: AdamW, warm-up + cosine, clipping, checkpoints and resume.
 * A learner with no parameters (zeroshot) is returned untouched (summary undefined).
 */
export async function trainPromptLearner(
  learner: PromptLearner,
  target: PromptTarget,
  train: ImageFeatures,
  config: Partial<PromptTrainConfig> = {},
): Promise<TrainSummary | undefined> {
  const c = { ...PROMPT_TRAIN_DEFAULTS, ...config };
  learner.checkTarget(target);
  const params = learner.parameters();
  if (params.size === 0) return undefined;
  if (train.dim !== target.embedDim)
    throw new Error(
      `training features are ${train.dim}-dim but model "${target.model.clip.config.name}" embeds into ${target.embedDim}; encode the images with the model the prompts are trained on`,
    );
  for (let i = 0; i < train.labels.length; i++) {
    const y = train.labels[i]!;
    if (!(y >= 0 && y < target.numClasses)) throw new Error(`training label ${y} (row ${i}) is outside the target's ${target.numClasses} classes`);
  }
  const features = tf.tensor2d(train.data, [train.rows, train.dim]);
  const labels = tf.tensor1d(train.labels, 'int32');
  const sampler = new StepSampler(train.rows, Math.min(c.batchSize, train.rows), c.seed);
  const trainer = new Trainer(params, {
    totalSteps: c.steps,
    schedule: { lr: c.lr, warmupSteps: Math.min(c.warmupSteps, c.steps - 1), kind: 'cosine' },
    optimizer: { weightDecay: c.weightDecay },
    clipGradNorm: c.clipGradNorm,
    checkpoint: c.checkpointDir ? { dir: c.checkpointDir, every: c.checkpointEvery ?? 50 } : undefined,
    logFile: c.logFile,
    label: c.label ?? learner.kind,
    progress: c.progress ?? true,
    restart: c.restart,
    // What a resumed run must share with the killed one: the recipe, the learner, the model and classes, the data.
    run: {
      recipe: {
        steps: c.steps,
        batchSize: c.batchSize,
        lr: c.lr,
        warmupSteps: c.warmupSteps,
        weightDecay: c.weightDecay,
        clipGradNorm: c.clipGradNorm,
        seed: c.seed,
      },
      learner: { kind: learner.kind, config: learner.config, shape: learner.shape },
      model: promptModelIdentity(target.model),
      classes: classListIdentity(target.classNames),
      data: {
        order: sampler.fingerprint(),
        features: sha256(new Uint8Array(train.data.buffer, train.data.byteOffset, train.data.byteLength)),
        labels: sha256(Int32Array.from(train.labels).join(',')),
      },
    },
  });
  try {
    return await trainer.fit((step) => {
      const idx = tf.tensor1d(sampler.batch(step), 'int32');
      const out = learner.loss(target, tf.gather(features, idx) as tf.Tensor2D, tf.gather(labels, idx) as tf.Tensor1D);
      return { loss: out.loss, metrics: out.metrics };
    }, c.onStep);
  } finally {
    trainer.dispose();
    features.dispose();
    labels.dispose();
  }
}

/** Predicted class of every row of `features` (on the target's model), in chunks. */
export function predictClasses(learner: PromptLearner, target: PromptTarget, features: ImageFeatures, batchSize = 1024): Int32Array {
  if (features.dim !== target.embedDim)
    throw new Error(
      `features are ${features.dim}-dim but model "${target.model.clip.config.name}" embeds into ${target.embedDim}; encode the images with the model the prompts are plugged into`,
    );
  learner.checkTarget(target);
  const out = new Int32Array(features.rows);
  // Class features that do not depend on the image are computed once.
  const fixed = learner.conditional ? null : tf.tidy(() => learner.classFeatures(target));
  const chunk = learner.conditional ? Math.min(batchSize, 64) : batchSize;
  try {
    for (let start = 0; start < features.rows; start += chunk) {
      const n = Math.min(chunk, features.rows - start);
      const pred = tf.tidy(() => {
        const x = tf.tensor2d(features.data.subarray(start * features.dim, (start + n) * features.dim), [n, features.dim]);
        const logits = fixed ? tf.matMul(x, tf.div(fixed, tf.norm(fixed, 'euclidean', -1, true)), false, true) : learner.logits(target, x);
        return tf.argMax(logits, 1);
      });
      out.set(pred.dataSync() as Int32Array, start);
      pred.dispose();
    }
  } finally {
    fixed?.dispose();
  }
  return out;
}

/** Fraction of rows whose predicted class is the label. */
export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length) throw new Error(`${predictions.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) throw new Error('accuracy of an empty set is undefined');
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) right++;
  return right / labels.length;
}
