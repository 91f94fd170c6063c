import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastiveAlignmentLoss, distillationLoss, hybridLoss, influenceLoss } from '../src/index';
import { setup } from './helpers';

// Plain-JS references: nothing here touches the tfjs implementation.
const norm = (r: number[]) => Math.hypot(...r);
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (norm(a) * norm(b));
const logSoftmax = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
};
const softmax = (row: number[]) => logSoftmax(row).map(Math.exp);

const A = [
  [1, 0, 0],
  [0, 2, 0],
  [1, 1, 1],
  [0.5, -1, 2],
];
const B = [
  [1, 0, 0],
  [1, 1, 0],
  [-1, 1, 0],
  [0.5, -1, 1],
];
const C = [
  [1, 0, 0],
  [0, 1, 0],
];
const t = (m: number[][]) => tf.tensor2d(m);

describe('losses', () => {
  beforeAll(setup);

  it('cosine distillation is the mean of 1 - cos (hand-worked: rows 1 and 2 by hand)', () => {
    // Row 0: identical directions -> 0; row 1: (0,2,0)·(1,1,0) = 2, norms 2·√2 -> cos = 1/√2.
    expect(1 - cos(A[1]!, B[1]!)).toBeCloseTo(1 - Math.SQRT1_2, 12);
    const want = A.reduce((s, r, i) => s + 1 - cos(r, B[i]!), 0) / A.length;
    expect(distillationLoss(t(A), t(B), 'cosine').dataSync()[0]).toBeCloseTo(want, 5);
  });

  it('l2 distillation is the mean squared difference per element', () => {
    let sum = 0;
    A.forEach((r, i) => {
      r.forEach((x, j) => {
        sum += (x - B[i]![j]!) ** 2;
      });
    });
    expect(distillationLoss(t(A), t(B), 'l2').dataSync()[0]).toBeCloseTo(sum / 12, 5);
    expect(distillationLoss(t([[1, 2]]), t([[3, 5]]), 'l2').dataSync()[0]).toBeCloseTo((4 + 9) / 2, 6);
  });

  it('contrastive alignment is the symmetric InfoNCE over cosine logits', () => {
    const scale = 3;
    const logits = A.map((a) => B.map((b) => scale * cos(a, b)));
    const aToB = logits.reduce((s, row, i) => s - logSoftmax(row)[i]!, 0) / 4;
    const bToA = logits[0]!.map((_, j) => logits.map((row) => row[j]!)).reduce((s, col, j) => s - logSoftmax(col)[j]!, 0) / 4;
    expect(contrastiveAlignmentLoss(t(A), t(B), scale).dataSync()[0]).toBeCloseTo((aToB + bToA) / 2, 5);
  });

  it('influence loss is the cross-entropy of the adapted logits against the old model’s class distribution', () => {
    const scale = 2;
    let want = 0;
    A.forEach((a, i) => {
      const target = softmax(C.map((c) => scale * cos(B[i]!, c)));
      const logp = logSoftmax(C.map((c) => scale * cos(a, c)));
      want -= target.reduce((s, p, k) => s + p * logp[k]!, 0);
    });
    expect(influenceLoss(t(A), t(B), t(C), scale).dataSync()[0]).toBeCloseTo(want / 4, 5);
  });

  it('the hybrid is the weighted sum of its terms', () => {
    const inputs = { adapted: t(A), oldImage: t(B), oldText: t(B.slice().reverse()), classifier: t(C) };
    const cfg = { distill: 0.7, distillKind: 'cosine' as const, contrastive: 0.2, influence: 0.5, scale: 4 };
    const { loss, metrics } = hybridLoss(inputs, cfg);
    const d = distillationLoss(inputs.adapted, inputs.oldImage, 'cosine').dataSync()[0]!;
    const c = contrastiveAlignmentLoss(inputs.adapted, inputs.oldText, 4).dataSync()[0]!;
    const f = influenceLoss(inputs.adapted, inputs.oldImage, inputs.classifier, 4).dataSync()[0]!;
    expect(loss.dataSync()[0]).toBeCloseTo(0.7 * d + 0.2 * c + 0.5 * f, 5);
    expect(Object.keys(metrics).sort()).toEqual(['contrastive', 'distill', 'influence']);
  });

  it('names what is missing or mismatched', () => {
    expect(() => distillationLoss(t(A), t(C), 'cosine')).toThrow(/must both be \[batch, oldEmbedDim\]/);
    expect(() => hybridLoss({ adapted: t(A), oldImage: t(B) }, { distill: 1, distillKind: 'cosine', contrastive: 1, influence: 0 })).toThrow(
      /needs the old text features/,
    );
    expect(() => hybridLoss({ adapted: t(A), oldImage: t(B) }, { distill: 0, distillKind: 'cosine', contrastive: 0, influence: 1 })).toThrow(
      /needs the old zero-shot classifier/,
    );
    expect(() => hybridLoss({ adapted: t(A), oldImage: t(B) }, { distill: 0, distillKind: 'cosine', contrastive: 0, influence: 0 })).toThrow(
      /every weight is 0/,
    );
    expect(() => distillationLoss(t(A), t(B), 'l1' as never)).toThrow(/'cosine' or 'l2'/);
  });
});
