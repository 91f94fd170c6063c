import * as tf from '@tensorflow/tfjs-core';
import { BaseLearner, PromptDimensionMismatchError, type LearnerInit } from '../learner';
import { assemblePrompts } from '../layout';
import { l2Normalize, type PromptTarget } from '../target';
import { CONTEXT_DEFAULTS, checkContextOptions, initialContext, normalValues, type ContextOptions } from './context';
import { encodePrompts, LayoutCache } from './coop';

export interface CocoopOptions extends ContextOptions {
  /** Hidden width of the meta-net; 0 means embedDim / 16 (CoCoOp's reduction), at least 1. */
  metaHidden: number;
}

export const COCOOP_DEFAULTS: CocoopOptions = { ...CONTEXT_DEFAULTS, metaHidden: 0 };

/**
 * CoCoOp (Zhou et al., CVPR 2022): a meta-net Linear-ReLU-Linear maps the (normalised) image
 * feature to a bias added to every context vector, so each image gets its own C prompts.
 * On another model the meta-net reads that model's image features: their dimension must be
 * the one it was trained with.
 */
export class CocoopLearner extends BaseLearner {
  readonly kind = 'cocoop';
  override readonly conditional = true;
  private readonly layouts: LayoutCache;
  private readonly ctx: tf.Variable;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;

  constructor(options: Partial<CocoopOptions>, init: LearnerInit) {
    const o = { ...COCOOP_DEFAULTS, ...options };
    checkContextOptions('cocoop', o);
    if (!Number.isInteger(o.metaHidden) || o.metaHidden < 0) throw new Error(`cocoop: metaHidden must be a non-negative integer, got ${o.metaHidden}`);
    const { tokenWidth: w, embedDim: d } = init.shape;
    const hidden = o.metaHidden || Math.max(1, Math.floor(d / 16));
    super({ ...o, metaHidden: hidden }, init.shape);
    this.layouts = new LayoutCache(o);
    const rng = init.rng;
    this.ctx = this.addParam('ctx', initialContext('cocoop', o, 1, w, rng.fork('ctx'), init.target), [1, o.nCtx, w]);
    // Linear layers initialised N(0, 1/fan_in), biases zero.
    this.w1 = this.addParam('meta.linear1.weight', normalValues(rng.fork('w1'), d * hidden, d ** -0.5), [d, hidden]);
    this.b1 = this.addParam('meta.linear1.bias', new Float32Array(hidden), [hidden]);
    this.w2 = this.addParam('meta.linear2.weight', normalValues(rng.fork('w2'), hidden * w, hidden ** -0.5), [hidden, w]);
    this.b2 = this.addParam('meta.linear2.bias', new Float32Array(w), [w]);
  }

  override checkTarget(target: PromptTarget): void {
    super.checkTarget(target);
    if (target.embedDim !== this.shape.embedDim)
      throw new PromptDimensionMismatchError(
        `this cocoop meta-net reads ${this.shape.embedDim}-dim image features, but model "${target.model.clip.config.name}" embeds into ${target.embedDim} dims; plug it only into a model with the same embedding dimension`,
      );
  }

  /** Per-image class features [B, C, D]. */
  classFeatures(target: PromptTarget, imageFeatures?: tf.Tensor2D): tf.Tensor3D {
    if (!imageFeatures) throw new Error('cocoop builds prompts per image: pass the image features');
    return tf.tidy(() => {
      const b = imageFeatures.shape[0];
      const hidden = tf.relu(tf.add(tf.matMul(l2Normalize(imageFeatures), this.w1), this.b1));
      const bias = tf.add(tf.matMul(hidden, this.w2), this.b2);
      const ctx = tf.add(this.ctx, tf.expandDims(bias, 1)) as tf.Tensor3D;
      const { embeddings, eot } = assemblePrompts(target, this.layouts.get(target), ctx, 'image');
      return tf.reshape(encodePrompts(target, embeddings, eot), [b, target.numClasses, target.embedDim]) as tf.Tensor3D;
    });
  }
}
