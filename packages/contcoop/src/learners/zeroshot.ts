import * as tf from '@tensorflow/tfjs-core';
import { BaseLearner, type LearnerInit } from '../learner';
import type { PromptTarget } from '../target';

/** The reference: the target's hand-written prompts, ensembled per class. Nothing to learn. */
export class ZeroshotLearner extends BaseLearner {
  readonly kind = 'zeroshot';

  constructor(_options: Record<string, never>, init: LearnerInit) {
    super({}, init.shape);
  }

  // Zero-shot features are model-specific and recomputed per target, so any width works.
  override checkTarget(): void {}

  classFeatures(target: PromptTarget): tf.Tensor2D {
    // A copy: callers own what classFeatures returns; the target keeps its cached original.
    return tf.clone(target.zeroShotFeatures());
  }
}
