import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { fewShotSplit, loadDataset, subset, type ImageDataset } from '@hotplug/data';
import {
  accuracyOf,
  createLearner,
  encodeImages,
  FeatureCache,
  predictClasses,
  PromptTarget,
  trainPromptLearner,
  type ImageFeatures,
  type PromptModel,
} from '../src/index';
import { FASHION, tinyModel } from './helpers';

let model: PromptModel;
let target: PromptTarget;
let shots: ImageDataset;
let train: ImageFeatures;

beforeAll(async () => {
  await initBackend();
  model = tinyModel(6);
  target = new PromptTarget(model, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  shots = fewShotSplit(
    subset(
      loadDataset('fashion-mnist', 'test'),
      Int32Array.from({ length: 600 }, (_, i) => i),
    ),
    { shots: 4, seed: 1 },
  );
  train = await encodeImages(model.clip, shots);
});
afterAll(() => {
  target.dispose();
  model.clip.dispose();
});

const weights = (m: PromptModel) => [...m.clip.namedWeights()].map(([n, v]) => [n, Array.from(v.dataSync())] as const);
const fast = { steps: 12, batchSize: 16, lr: 0.01, warmupSteps: 2, progress: false };

describe('trainPromptLearner', () => {
  it.each(['coop', 'cocoop', 'kgcoop', 'contcoop'])('%s: lowers the loss, changes only prompt parameters, leaks no tensors', async (kind) => {
    const learner = createLearner(kind, target, { seed: 1 });
    const modelBefore = weights(model);
    const paramsBefore = [...learner.parameters().values()].map((v) => Array.from(v.dataSync()));
    learner.logits(target, tf.zeros([1, 16])).dispose(); // warm the target's caches
    const counts: number[] = [];
    const summary = await trainPromptLearner(learner, target, train, { ...fast, steps: 30, onStep: () => counts.push(tf.memory().numTensors) });
    const losses = summary!.history.map((h) => h.loss);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(weights(model)).toEqual(modelBefore);
    const paramsAfter = [...learner.parameters().values()].map((v) => Array.from(v.dataSync()));
    paramsAfter.forEach((p, i) => {
      expect(p).not.toEqual(paramsBefore[i]);
    });
    learner.dispose();
  });

  it('zeroshot has nothing to train', async () => {
    const learner = createLearner('zeroshot', target);
    expect(await trainPromptLearner(learner, target, train, fast)).toBeUndefined();
  });

  it('resumes after a kill to exactly the parameters of an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contcoop-resume-'));
    const straight = createLearner('contcoop', target, { seed: 4 });
    await trainPromptLearner(straight, target, train, { ...fast, seed: 2 });
    const killed = createLearner('contcoop', target, { seed: 4 });
    const kill = (r: { step: number }) => {
      if (r.step === 7) throw new Error('killed');
    };
    await expect(trainPromptLearner(killed, target, train, { ...fast, seed: 2, checkpointDir: dir, checkpointEvery: 3, onStep: kill })).rejects.toThrow(
      'killed',
    );
    killed.dispose();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const resumed = createLearner('contcoop', target, { seed: 4 });
    const summary = await trainPromptLearner(resumed, target, train, { ...fast, seed: 2, checkpointDir: dir, checkpointEvery: 3 });
    expect(summary!.startStep).toBe(6);
    const a = [...straight.parameters().values()].map((v) => Array.from(v.dataSync()));
    const b = [...resumed.parameters().values()].map((v) => Array.from(v.dataSync()));
    expect(b).toEqual(a);
    straight.dispose();
    resumed.dispose();
  });

  it('rejects labels outside the target and features of another model', async () => {
    const learner = createLearner('coop', target);
    await expect(trainPromptLearner(learner, target, { ...train, labels: train.labels.map((y) => y + 5) }, fast)).rejects.toThrow(
      /label 10 .* outside the target's 10 classes/,
    );
    await expect(trainPromptLearner(learner, target, { data: new Float32Array(40 * 8), rows: 40, dim: 8, labels: train.labels }, fast)).rejects.toThrow(
      /training features are 8-dim but model "tiny-6-w32" embeds into 16/,
    );
    learner.dispose();
  });
});

describe('predictClasses', () => {
  it('agrees with the arg-max of the learner logits, for shared and per-image prompts', () => {
    for (const kind of ['coop', 'cocoop']) {
      const learner = createLearner(kind, target, { seed: 2 });
      const pred = predictClasses(learner, target, train, 7);
      const logits = learner.logits(target, tf.tensor2d(train.data, [train.rows, train.dim]));
      const ref = tf.tidy(() => tf.argMax(logits, 1).dataSync());
      expect(Array.from(pred)).toEqual(Array.from(ref));
      logits.dispose();
      learner.dispose();
    }
  });

  it('accuracyOf is the fraction right (hand-worked)', () => {
    expect(accuracyOf([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(() => accuracyOf([0], [0, 1])).toThrow(/1 predictions for 2 labels/);
  });
});

describe('FeatureCache', () => {
  it('computes a split once per encoder, also across processes through its folder, and keys on content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contcoop-features-'));
    const cache = new FeatureCache(dir);
    const first = await cache.get(model.clip, shots);
    const again = await cache.get(model.clip, shots);
    expect(again).toBe(first);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    expect(Array.from(first.data)).toEqual(Array.from(train.data));
    const fresh = new FeatureCache(dir);
    const fromDisk = await fresh.get(model.clip, shots);
    expect([fresh.hits, fresh.misses]).toEqual([1, 0]);
    expect(Array.from(fromDisk.data)).toEqual(Array.from(first.data));
    const other = tinyModel(7);
    await fresh.get(other.clip, shots);
    expect(fresh.misses).toBe(1);
    other.clip.dispose();
    const norms = Array.from({ length: first.rows }, (_, r) => Math.hypot(...first.data.subarray(r * 16, r * 16 + 16)));
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    expect(existsSync(dir)).toBe(true);
  });
});
