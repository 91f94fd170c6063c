import * as tf from '@tensorflow/tfjs-core';
import { contrastiveLoss, cosineLogits, softmaxCrossEntropy } from '@hotplug/kernels';

export type DistillKind = 'cosine' | 'l2';

/** The hybrid objective as data: weights of each term (0 turns a term off). */
export interface HybridLossConfig {
  /** Weight of the distillation towards the old visual features. */
  distill: number;
  distillKind: DistillKind;
  /** Weight of the contrastive alignment with the old text features of the paired captions. */
  contrastive: number;
  /** Weight of the BCT influence loss (old zero-shot classifier applied to the adapted features). */
  influence: number;
  /** Logit scale of the contrastive and influence terms (default: the old model's own, exp(logit_scale)). */
  scale?: number;
}

/** TaCA's default: distillation plus contrastive alignment; influence off. */
export const TACA_LOSS_DEFAULTS: HybridLossConfig = { distill: 1, distillKind: 'cosine', contrastive: 0.1, influence: 0 };

function checkRows(op: string, a: tf.Tensor2D, b: tf.Tensor2D): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1])
    throw new Error(`${op}: adapted features [${a.shape}] and old features [${b.shape}] must both be [batch, oldEmbedDim] with the same shape`);
}

/**
 * Distillation towards the old model's visual features of the same images:
 * 'cosine': mean over rows of 1 - cos(a_i, o_i) (direction only, as heads normalise);
 * 'l2': mean squared difference per element of the raw embeddings (direction and norm).
 */
export function distillationLoss(adapted: tf.Tensor2D, old: tf.Tensor2D, kind: DistillKind = 'cosine'): tf.Scalar {
  checkRows('distillationLoss', adapted, old);
  return tf.tidy(() => {
    if (kind === 'l2') return tf.mean(tf.square(tf.sub(adapted, old))) as tf.Scalar;
    if (kind !== 'cosine') throw new Error(`distillationLoss: kind must be 'cosine' or 'l2', got ${JSON.stringify(kind)}`);
    const unit = (x: tf.Tensor) => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12)));
    return tf.sub(1, tf.mean(tf.sum(tf.mul(unit(adapted), unit(old)), 1))) as tf.Scalar;
  });
}

/** Symmetric InfoNCE between the adapted image features and the old text features of their captions (row i pairs with row i). */
export function contrastiveAlignmentLoss(adapted: tf.Tensor2D, oldText: tf.Tensor2D, scale: number): tf.Scalar {
  checkRows('contrastiveAlignmentLoss', adapted, oldText);
  return contrastiveLoss(adapted, oldText, scale);
}

/**
 * BCT's influence loss without labels: the old model's zero-shot classifier ([classes, dim],
 * text embeddings of the caption vocabulary's classes) scores the adapted features, and the
 * target is the class distribution the old model itself gives the same images.
 */
export function influenceLoss(adapted: tf.Tensor2D, oldImage: tf.Tensor2D, classifier: tf.Tensor2D, scale: number): tf.Scalar {
  checkRows('influenceLoss', adapted, oldImage);
  if (classifier.rank !== 2 || classifier.shape[1] !== adapted.shape[1])
    throw new Error(`influenceLoss: classifier [${classifier.shape}] must be [classes, ${adapted.shape[1]}] (old text embeddings)`);
  return tf.tidy(() => {
    const targets = tf.softmax(cosineLogits(oldImage, classifier, scale)) as tf.Tensor2D;
    return softmaxCrossEntropy(cosineLogits(adapted, classifier, scale), targets);
  });
}

export interface HybridLossInputs {
  adapted: tf.Tensor2D;
  oldImage: tf.Tensor2D;
  /** Needed when `contrastive` > 0. */
  oldText?: tf.Tensor2D;
  /** Needed when `influence` > 0. */
  classifier?: tf.Tensor2D;
}

/** The weighted sum of the enabled terms, with each term as a metric. */
export function hybridLoss(inputs: HybridLossInputs, config: HybridLossConfig): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
  const metrics: Record<string, tf.Scalar> = {};
  const scale = config.scale ?? 1 / 0.07;
  const terms: tf.Scalar[] = [];
  if (config.distill > 0) {
    metrics.distill = distillationLoss(inputs.adapted, inputs.oldImage, config.distillKind);
    terms.push(tf.mul(metrics.distill, config.distill));
  }
  if (config.contrastive > 0) {
    if (!inputs.oldText) throw new Error('hybridLoss: contrastive weight > 0 needs the old text features of the batch captions (oldText)');
    metrics.contrastive = contrastiveAlignmentLoss(inputs.adapted, inputs.oldText, scale);
    terms.push(tf.mul(metrics.contrastive, config.contrastive));
  }
  if (config.influence > 0) {
    if (!inputs.classifier) throw new Error('hybridLoss: influence weight > 0 needs the old zero-shot classifier (classifier)');
    metrics.influence = influenceLoss(inputs.adapted, inputs.oldImage, inputs.classifier, scale);
    terms.push(tf.mul(metrics.influence, config.influence));
  }
  if (terms.length === 0) throw new Error('hybridLoss: every weight is 0; enable at least one of distill, contrastive, influence');
  return { loss: (terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Scalar, metrics };
}
