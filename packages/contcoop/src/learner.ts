import * as tf from '@tensorflow/tfjs-core';
import { cosineLogits, softmaxCrossEntropy } from '@hotplug/kernels';
import type { Rng } from '@hotplug/runtime';
import { l2Normalize, type PromptTarget } from './target';

/** The sizes a learner's parameters depend on; stored with the learned state. */
/**
 * A prompt learned in one token-embedding (or embedding) width plugged into a model of another. Its name is
 * the one @hotplug/heads gives its DimensionMismatchError, so a benchmark reads it the same
 * way: this module cannot run on that model (an n/a cell), not a failed run.
 */
export class PromptDimensionMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DimensionMismatchError';
  }
}

export interface LearnerShape {
  /** Token-embedding width of the text encoder the context lives in. */
  tokenWidth: number;
  /** Image/text embedding dimension (CoCoOp's meta-net reads image features of this size). */
  embedDim: number;
  /** Classes of the task (class-specific contexts have one per class). */
  numClasses: number;
}

/** A training objective's value and the parts worth logging. */
export interface LearnerLoss {
  loss: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
}

/**
 * One interface for every prompt learner: build class prompts for a target (a model in use +
 * class names), expose the trainable parameters, and score image features. The learned state
 * is `parameters()` plus `kind` and `config`; nothing read from a model is part of it.
 */
export interface PromptLearner {
  readonly kind: string;
  /** Resolved options, JSON-serialisable (saved with the state). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly shape: Readonly<LearnerShape>;
  /** True when class prompts depend on the image (CoCoOp): text features are per image. */
  readonly conditional: boolean;
  /** Trainable parameters by name (empty for zero-shot). */
  parameters(): Map<string, tf.Variable>;
  /** Class text features for `target`: [C, D], or [B, C, D] for conditional learners. Not normalised. */
  classFeatures(target: PromptTarget, imageFeatures?: tf.Tensor2D): tf.Tensor;
  /** logit_scale * cos(image, class) [B, C]; `imageFeatures` [B, D] from the same model. */
  logits(target: PromptTarget, imageFeatures: tf.Tensor2D): tf.Tensor2D;
  /** The training objective on a batch (cross-entropy, plus the learner's own terms). */
  loss(target: PromptTarget, imageFeatures: tf.Tensor2D, labels: tf.Tensor1D): LearnerLoss;
  /** Throws a clear error when the learned state cannot be applied to `target`. */
  checkTarget(target: PromptTarget): void;
  dispose(): void;
}

/** What a factory gets: the shape, the options, a seeded Rng, and the target when one is known (for text initialisation). */
export interface LearnerInit {
  shape: LearnerShape;
  rng: Rng;
  target?: PromptTarget;
}

/** Shared parts: logits from class features, cross-entropy, target checks, parameter bookkeeping. */
export abstract class BaseLearner implements PromptLearner {
  abstract readonly kind: string;
  readonly conditional: boolean = false;
  protected readonly params = new Map<string, tf.Variable>();

  constructor(
    readonly config: Readonly<Record<string, unknown>>,
    readonly shape: Readonly<LearnerShape>,
  ) {}

  parameters(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  abstract classFeatures(target: PromptTarget, imageFeatures?: tf.Tensor2D): tf.Tensor;

  protected addParam(name: string, values: Float32Array | tf.Tensor, shape: number[]): tf.Variable {
    const init = values instanceof tf.Tensor ? values : tf.tensor(values, shape);
    const v = tf.variable(init, true, `prompt_${this.kind}_${name}_${nextId++}`);
    init.dispose();
    this.params.set(name, v);
    return v;
  }

  checkTarget(target: PromptTarget): void {
    const model = target.model.clip.config.name;
    if (target.tokenWidth !== this.shape.tokenWidth)
      throw new PromptDimensionMismatchError(
        `this ${this.kind} prompt was learned for token-embedding width ${this.shape.tokenWidth}, but model "${model}" has width ${target.tokenWidth}; a learned prompt can only be plugged into a model with the same token-embedding width`,
      );
  }

  logits(target: PromptTarget, imageFeatures: tf.Tensor2D): tf.Tensor2D {
    this.checkInputs(target, imageFeatures);
    return tf.tidy(() => scoreImages(target, imageFeatures, this.classFeatures(target, imageFeatures)));
  }

  loss(target: PromptTarget, imageFeatures: tf.Tensor2D, labels: tf.Tensor1D): LearnerLoss {
    this.checkInputs(target, imageFeatures);
    const text = this.classFeatures(target, imageFeatures);
    const logits = scoreImages(target, imageFeatures, text);
    const ce = softmaxCrossEntropy(logits, labels);
    const extra = this.extraLoss(target, imageFeatures, logits, text);
    if (!extra) return { loss: ce, metrics: { ce } };
    return { loss: tf.add(ce, extra.value) as tf.Scalar, metrics: { ce, ...extra.metrics } };
  }

  /** A learner's own term added to cross-entropy (KgCoOp's penalty, ContCoOp's distillation). */
  protected extraLoss(
    _target: PromptTarget,
    _imageFeatures: tf.Tensor2D,
    _logits: tf.Tensor2D,
    _text: tf.Tensor,
  ): { value: tf.Scalar; metrics: Record<string, tf.Scalar> } | undefined {
    return undefined;
  }

  private checkInputs(target: PromptTarget, imageFeatures: tf.Tensor2D): void {
    this.checkTarget(target);
    if (imageFeatures.rank !== 2 || imageFeatures.shape[1] !== target.embedDim)
      throw new Error(
        `image features must be [batch, ${target.embedDim}] from model "${target.model.clip.config.name}", got [${imageFeatures.shape.join(', ')}]`,
      );
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

let nextId = 0;

/** logit_scale * cosine(image, class): [B, C] from class features [C, D] or per-image [B, C, D]. */
export function scoreImages(target: PromptTarget, imageFeatures: tf.Tensor2D, text: tf.Tensor): tf.Tensor2D {
  if (text.rank === 2) return cosineLogits(imageFeatures, text as tf.Tensor2D, target.logitScale);
  const img = tf.expandDims(l2Normalize(imageFeatures), 1);
  return tf.mul(tf.sum(tf.mul(img, l2Normalize(text)), -1), target.logitScale) as tf.Tensor2D;
}
