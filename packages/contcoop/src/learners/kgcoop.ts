import * as tf from '@tensorflow/tfjs-core';
import type { LearnerInit } from '../learner';
import { l2Normalize, type PromptTarget } from '../target';
import { COOP_DEFAULTS, CoopLearner, type CoopOptions } from './coop';

export interface KgcoopOptions extends CoopOptions {
  /** λ of the knowledge-guided penalty (the KgCoOp paper uses 8). */
  kgWeight: number;
}

export const KGCOOP_DEFAULTS: KgcoopOptions = { ...COOP_DEFAULTS, kgWeight: 8 };

/**
 * KgCoOp (Yao et al., CVPR 2023): CoOp plus λ · mean over classes of the squared L2 distance
 * between the learned and the hand-written prompts' normalised class features.
 */
export class KgcoopLearner extends CoopLearner {
  private readonly kgWeight: number;

  constructor(options: Partial<KgcoopOptions>, init: LearnerInit) {
    const o = { ...KGCOOP_DEFAULTS, ...options };
    if (!(o.kgWeight >= 0)) throw new Error(`kgcoop: kgWeight must be >= 0, got ${o.kgWeight}`);
    super(o, init, 'kgcoop');
    this.kgWeight = o.kgWeight;
  }

  protected override extraLoss(target: PromptTarget, _images: tf.Tensor2D, _logits: tf.Tensor2D, text: tf.Tensor) {
    const distance = tf.mean(tf.sum(tf.square(tf.sub(l2Normalize(text), target.zeroShotFeatures())), -1)) as tf.Scalar;
    return { value: tf.mul(distance, this.kgWeight) as tf.Scalar, metrics: { kg: distance } };
  }
}
