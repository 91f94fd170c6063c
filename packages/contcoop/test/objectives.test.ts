import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { type ContcoopLearner, createLearner, distillation, l2Normalize, PromptTarget, type PromptModel } from '../src/index';
import { FASHION, tinyModel } from './helpers';

let model: PromptModel;
let target: PromptTarget;
let images: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  model = tinyModel(4);
  target = new PromptTarget(model, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  images = tf.keep(l2Normalize(tf.randomNormal([6, target.embedDim], 0, 1, 'float32', 11) as tf.Tensor2D));
  labels = tf.keep(tf.tensor1d([0, 3, 5, 7, 9, 1], 'int32'));
});
afterAll(() => {
  tf.dispose([images, labels]);
  target.dispose();
  model.clip.dispose();
});

const softmaxRows = (rows: number[][]) =>
  rows.map((r) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });

describe('gradients', () => {
  it.each(['coop', 'cocoop', 'kgcoop', 'contcoop'])('%s: flow into every prompt parameter and into nothing of the model', (kind) => {
    const learner = createLearner(kind, target, { seed: 1 });
    // No variable list: tfjs differentiates every trainable variable, so frozen model weights must not appear.
    const { value, grads } = tf.variableGrads(() => learner.loss(target, images, labels).loss);
    const promptNames = new Set([...learner.parameters().values()].map((v) => v.name));
    expect(new Set(Object.keys(grads))).toEqual(promptNames);
    for (const g of Object.values(grads)) expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
    for (const [, v] of model.clip.namedWeights()) expect(v.trainable).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    learner.dispose();
  });

  it.each(['coop', 'cocoop', 'kgcoop', 'contcoop'])('%s: match central finite differences of the loss', (kind) => {
    const learner = createLearner(kind, target, { seed: 2 });
    const lossValue = () => tf.tidy(() => learner.loss(target, images, labels).loss.dataSync()[0]!);
    const { value, grads } = tf.variableGrads(() => learner.loss(target, images, labels).loss);
    const h = 1e-2;
    for (const [name, v] of learner.parameters()) {
      const g = grads[v.name]!.dataSync();
      // The coordinate with the largest gradient: a float32 difference quotient resolves it well.
      let at = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[at]!)) at = i;
      const base = v.dataSync().slice();
      const shifted = (delta: number) => {
        const copy = base.slice();
        copy[at]! += delta;
        v.assign(tf.tensor(copy, v.shape));
        return lossValue();
      };
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      expect(Math.abs(numeric - g[at]!), `${kind} ${name}`).toBeLessThan(0.03 * Math.abs(g[at]!) + 2e-3);
    }
    tf.dispose([value, ...Object.values(grads)]);
    learner.dispose();
  });
});

describe('objectives', () => {
  it('distillation equals KL(zero-shot softmax || softmax) computed by hand, scaled by T²', () => {
    const logits = tf.tensor2d([
      [1, 2, 0.5, 0, 0, 0, 0, 0, 0, 3],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [2, -1, 0, 1, 0, 0, 4, 0, 0, 0],
      [0, 5, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
      [0, 0, 0, 2, 0, 0, 0, 0, 0, 0],
    ]);
    const T = 2;
    const zs = tf.tidy(() => tf.mul(tf.matMul(images, target.zeroShotFeatures(), false, true), target.logitScale / T).arraySync() as number[][]);
    const p = softmaxRows(zs);
    const q = softmaxRows((logits.arraySync() as number[][]).map((r) => r.map((v) => v / T)));
    let kl = 0;
    p.forEach((row, i) => {
      row.forEach((pi, c) => {
        kl += pi * Math.log(pi / q[i]![c]!);
      });
    });
    const value = distillation(target, images, logits, T);
    expect(value.dataSync()[0]).toBeCloseTo((T * T * kl) / p.length, 4);
    tf.dispose([logits, value]);
  });

  it('kgcoop adds λ · mean squared distance to the hand-written class features (zero when they coincide)', () => {
    const kg = createLearner('kgcoop', target, { options: { kgWeight: 8 } });
    const out = kg.loss(target, images, labels);
    const text = tf.tidy(() => l2Normalize(kg.classFeatures(target)).arraySync() as number[][]);
    const zs = target.zeroShotFeatures().arraySync() as number[][];
    const dist = text.reduce((acc, row, c) => acc + row.reduce((a, v, d) => a + (v - zs[c]![d]!) ** 2, 0), 0) / text.length;
    expect(out.metrics.kg!.dataSync()[0]).toBeCloseTo(dist, 5);
    expect(out.loss.dataSync()[0]).toBeCloseTo(out.metrics.ce!.dataSync()[0]! + 8 * dist, 4);
    tf.dispose([out.loss, ...Object.values(out.metrics)]);
    kg.dispose();
  });

  it("contcoop with keys 'name' and identity value/output maps gives a one-token class name its own embedding as every context vector", () => {
    const learner = createLearner('contcoop', target, { seed: 5, options: { keys: 'name' } }) as ContcoopLearner;
    const single = target.classTokens.findIndex((t) => t.length === 1);
    expect(single).toBeGreaterThanOrEqual(0);
    const ctx = learner.classContext(target);
    const name = target.classNameEmbeddings(single);
    const row = tf.tidy(() => tf.gather(ctx, single));
    // Attention over a single key puts all its weight there: output = E·Wv·Wo = E.
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(row, tf.tile(name, [4, 1])))).dataSync()[0]!)).toBeLessThan(1e-6);
    tf.dispose([ctx, name, row]);
    learner.dispose();
  });
});
