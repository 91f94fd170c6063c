import * as tf from '@tensorflow/tfjs-core';
import { BaseLearner, type LearnerInit } from '../learner';
import { assemblePrompts, promptLayout, type PromptLayout } from '../layout';
import type { PromptTarget } from '../target';
import { CONTEXT_DEFAULTS, checkContextOptions, initialContext, type ContextOptions } from './context';

export interface CoopOptions extends ContextOptions {
  /** One context per class (CoOp's CSC) instead of one shared by all classes. */
  classSpecific: boolean;
}

export const COOP_DEFAULTS: CoopOptions = { ...CONTEXT_DEFAULTS, classSpecific: false };

/** Lays prompts out once per target (class names and token ids do not change). */
export class LayoutCache {
  private readonly layouts = new WeakMap<PromptTarget, PromptLayout>();
  constructor(private readonly options: ContextOptions) {}
  get(target: PromptTarget): PromptLayout {
    let layout = this.layouts.get(target);
    if (!layout) {
      layout = promptLayout(target, this.options.nCtx, this.options.position);
      this.layouts.set(target, layout);
    }
    return layout;
  }
}

/** Encodes prompt embeddings with the target's text encoder: [P, D]. */
export function encodePrompts(target: PromptTarget, embeddings: tf.Tensor3D, eot: number[]): tf.Tensor2D {
  return target.model.clip.text.encodeEmbeddings(embeddings, eot).embedding as tf.Tensor2D;
}

/** CoOp (Zhou et al., IJCV 2022): M learned context vectors in the token-embedding space. */
export class CoopLearner extends BaseLearner {
  readonly kind: string;
  readonly options: CoopOptions;
  protected readonly layouts: LayoutCache;
  protected readonly ctx: tf.Variable;

  constructor(options: Partial<CoopOptions>, init: LearnerInit, kind = 'coop') {
    const o = { ...COOP_DEFAULTS, ...options };
    super(o as unknown as Record<string, unknown>, init.shape);
    this.kind = kind;
    checkContextOptions(kind, o);
    this.options = o;
    this.layouts = new LayoutCache(o);
    const groups = o.classSpecific ? init.shape.numClasses : 1;
    this.ctx = this.addParam('ctx', initialContext(kind, o, groups, init.shape.tokenWidth, init.rng.fork('ctx'), init.target), [
      groups,
      o.nCtx,
      init.shape.tokenWidth,
    ]);
  }

  override checkTarget(target: PromptTarget): void {
    super.checkTarget(target);
    if (this.options.classSpecific && target.numClasses !== this.shape.numClasses)
      throw new Error(
        `this ${this.kind} prompt has class-specific context for ${this.shape.numClasses} classes, but the target has ${target.numClasses}; use shared context (classSpecific: false) to change class lists`,
      );
  }

  classFeatures(target: PromptTarget): tf.Tensor2D {
    return tf.tidy(() => {
      const { embeddings, eot } = assemblePrompts(target, this.layouts.get(target), this.ctx as tf.Tensor3D, this.options.classSpecific ? 'class' : 'shared');
      return encodePrompts(target, embeddings, eot);
    });
  }
}
