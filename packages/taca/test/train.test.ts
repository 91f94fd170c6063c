import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trainer } from '@hotplug/train';
import {
  adapterTarget,
  createAdapter,
  hybridLoss,
  injectAdapter,
  teacherFeatures,
  teacherFromClip,
  textClassifier,
  trainAdapter,
  weightsFingerprint,
  type TeacherFeatures,
} from '../src/index';
import { maxAbsDiff, normalizedImages, PROMPTS, setup, tempDir, tinyCorpus, tinyPair } from './helpers';

describe('training', () => {
  let pair: ReturnType<typeof tinyPair>;
  const corpus = tinyCorpus(48);
  let feats: TeacherFeatures;
  beforeAll(async () => {
    await setup();
    pair = tinyPair();
    feats = await teacherFeatures(teacherFromClip(pair.old, pair.tokenizer, 'tiny-old'), corpus, { progress: false });
  });
  afterAll(() => {
    pair.old.dispose();
    pair.next.dispose();
  });
  const target = () => adapterTarget(pair.next.visual, pair.old.config.embedDim);
  const quiet = { progress: false };
  /** Tensors a Trainer keeps after dispose() (a leak inside @hotplug/train, measured here so our own code is checked exactly). */
  const trainerResidue = (params: ReadonlyMap<string, tf.Variable>) => {
    const before = tf.memory().numTensors;
    new Trainer(new Map(params), { totalSteps: 1, schedule: { lr: 1 }, progress: false }).dispose();
    return tf.memory().numTensors - before;
  };
  /** Records tf.memory().numTensors after every step. */
  const stepCounts = () => {
    const counts: number[] = [];
    return { counts, onStep: () => void counts.push(tf.memory().numTensors) };
  };

  it('teacher features equal the old encoders run directly, and the cache is reused only for the same corpus', async () => {
    const { mean, std } = pair.old.config.vision;
    const imgs = normalizedImages(corpus, 3, mean, std);
    const direct = tf.tidy(() => pair.old.visual.forward(imgs).embedding);
    expect(maxAbsDiff(direct.dataSync(), feats.image.subarray(0, 3 * 12))).toBeLessThan(1e-5);
    const ids = pair.tokenizer.encodeBatch(corpus.captions.slice(0, 3));
    const text = tf.tidy(() => pair.old.text.encodeTokens(ids).embedding);
    expect(maxAbsDiff(text.dataSync(), feats.text.subarray(0, 3 * 12))).toBeLessThan(1e-5);
    tf.dispose([imgs, direct, ids, text]);

    const teacher = teacherFromClip(pair.old, pair.tokenizer, 'tiny-old');
    const cacheFile = join(tempDir('cache'), 'old.safetensors');
    const first = await teacherFeatures(teacher, corpus, { cacheFile, progress: false });
    const second = await teacherFeatures(teacher, corpus, { cacheFile, progress: false });
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(maxAbsDiff(second.image, first.image)).toBe(0);
    const changed = { ...corpus, captions: corpus.captions.map((c, i) => (i === 0 ? 'a dot' : c)) };
    expect((await teacherFeatures(teacher, changed, { cacheFile, progress: false })).cached).toBe(false);
    writeFileSync(cacheFile, 'garbage');
    expect((await teacherFeatures(teacher, corpus, { cacheFile, progress: false })).cached).toBe(false);
  });

  it('gradients reach every adapter variable and no backbone variable', () => {
    const adapter = createAdapter({ variant: 'taca-symmetric', bottleneck: 4, outputProjection: 'always' }, target());
    const enc = injectAdapter(pair.next.visual, adapter);
    const { mean, std } = pair.next.config.vision;
    const imgs = normalizedImages(corpus, 8, mean, std);
    const oldImage = tf.tensor2d(feats.image.slice(0, 8 * 12), [8, 12]);
    const oldText = tf.tensor2d(feats.text.slice(0, 8 * 12), [8, 12]);
    // Ask for gradients of every variable, backbone unfrozen, to see where they actually flow.
    pair.next.visual.unfreeze();
    const backbone = pair.next.visual.namedWeights();
    const all = [...adapter.params.values(), ...backbone.values()];
    const { grads } = tf.variableGrads(
      () => hybridLoss({ adapted: enc.forward(imgs), oldImage, oldText }, { distill: 1, distillKind: 'cosine', contrastive: 0.5, influence: 0 }).loss,
      all,
    );
    // Zero-initialised up-projections pass no gradient to the down-projections yet; every up-projection and the projection get one.
    for (const [name, v] of adapter.params) {
      if (name.includes('.up.') || name.includes('output_proj')) expect(tf.max(tf.abs(grads[v.name]!)).dataSync()[0], name).toBeGreaterThan(0);
    }
    pair.next.visual.freeze();
    const onlyAdapter = tf.variableGrads(
      () => hybridLoss({ adapted: enc.forward(imgs), oldImage, oldText }, { distill: 1, distillKind: 'cosine', contrastive: 0.5, influence: 0 }).loss,
      [...adapter.params.values()],
    );
    expect(Object.keys(onlyAdapter.grads).sort()).toEqual([...adapter.params.values()].map((v) => v.name).sort());
    // With the backbone frozen, variableGrads over trainable variables sees only the adapter.
    const trainable = tf.variableGrads(
      () => hybridLoss({ adapted: enc.forward(imgs), oldImage, oldText }, { distill: 1, distillKind: 'cosine', contrastive: 0, influence: 0 }).loss,
    );
    const backboneNames = new Set([...backbone.values()].map((v) => v.name));
    expect(Object.keys(trainable.grads).filter((n) => backboneNames.has(n))).toEqual([]);
    tf.dispose([
      imgs,
      oldImage,
      oldText,
      Object.values(grads),
      Object.values(onlyAdapter.grads),
      Object.values(trainable.grads),
      onlyAdapter.value,
      trainable.value,
    ]);
    enc.dispose();
    adapter.dispose();
  });

  it('the down-projection gradient matches finite differences once the up-projection is non-zero', () => {
    const adapter = createAdapter({ variant: 'parallel', bottleneck: 2, activation: 'gelu' }, target());
    const enc = injectAdapter(pair.next.visual, adapter);
    const up = adapter.params.get('adapter.blocks.1.mlp.up.weight')!;
    const fill = tf.fill(up.shape, 0.3);
    up.assign(fill);
    const { mean, std } = pair.next.config.vision;
    const imgs = normalizedImages(corpus, 4, mean, std);
    const oldImage = tf.tensor2d(feats.image.slice(0, 4 * 12), [4, 12]);
    const lossOf = () => hybridLoss({ adapted: enc.forward(imgs), oldImage }, { distill: 1, distillKind: 'l2', contrastive: 0, influence: 0 }).loss;
    const down = adapter.params.get('adapter.blocks.1.mlp.down.weight')!;
    const { grads, value } = tf.variableGrads(lossOf, [down]);
    const g = grads[down.name]!.dataSync();
    const base = down.dataSync().slice();
    for (const i of [0, 5, 17]) {
      const eps = 1e-2;
      const at = (d: number) => {
        const v = base.slice();
        v[i]! += d;
        const t = tf.tensor(v, down.shape);
        down.assign(t);
        t.dispose();
        return tf.tidy(() => lossOf().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - g[i]!)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
    }
    tf.dispose([fill, imgs, oldImage, value, Object.values(grads)]);
    enc.dispose();
    adapter.dispose();
  });

  it('trains only the adapter: loss falls, the backbone stays bit-identical, and no tensors leak', async () => {
    const adapter = createAdapter({ variant: 'taca-symmetric', bottleneck: 4 }, target());
    const enc = injectAdapter(pair.next.visual, adapter);
    const before = weightsFingerprint(pair.next.visual.namedWeights());
    const residue = trainerResidue(adapter.params);
    const tensors = tf.memory().numTensors;
    const steps = stepCounts();
    const result = await trainAdapter({
      encoder: enc,
      corpus,
      teacher: feats,
      config: { steps: 30, batchSize: 16, lr: 5e-3, warmupSteps: 2 },
      onStep: steps.onStep,
      ...quiet,
    });
    expect(new Set(steps.counts).size).toBe(1); // no growth from one step to the next
    expect(tf.memory().numTensors).toBe(tensors + residue);
    expect(weightsFingerprint(pair.next.visual.namedWeights())).toEqual(before);
    const h = result.summary.history;
    expect(h.at(-1)!.loss).toBeLessThan(h[0]!.loss);
    expect(result.adapterParameters).toBe(adapter.parameterCount());
    expect(result.backboneParameters).toBe([...pair.next.visual.namedWeights().values()].reduce((n, v) => n + v.size, 0));
    enc.dispose();
    adapter.dispose();
  });

  it('trains the projection baseline on cached new features, and the influence term with the old text classifier', async () => {
    const teacher = teacherFromClip(pair.old, pair.tokenizer, 'tiny-old');
    const classifier = await textClassifier(teacher, PROMPTS);
    expect(classifier.length).toBe(4 * 12);
    const adapter = createAdapter({ variant: 'projection' }, target());
    const enc = injectAdapter(pair.next.visual, adapter);
    const residue = trainerResidue(adapter.params);
    const tensors = tf.memory().numTensors;
    const steps = stepCounts();
    const result = await trainAdapter({
      encoder: enc,
      corpus,
      teacher: feats,
      classifier,
      config: { steps: 20, batchSize: 16, lr: 1e-2, loss: { distill: 1, distillKind: 'cosine', contrastive: 0.1, influence: 0.5 } },
      onStep: steps.onStep,
      ...quiet,
    });
    expect(new Set(steps.counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(tensors + residue);
    expect(result.summary.history.at(-1)!.loss).toBeLessThan(result.summary.history[0]!.loss);
    expect(result.summary.history[0]).toHaveProperty('influence');
    enc.dispose();
    adapter.dispose();
  });

  it('resumes after an interruption to exactly the weights of an uninterrupted run', async () => {
    const run = async (dir: string, stopAt?: number) => {
      const adapter = createAdapter({ variant: 'lora', bottleneck: 2, seed: 3 }, target());
      const enc = injectAdapter(pair.next.visual, adapter);
      try {
        await trainAdapter({
          encoder: enc,
          corpus,
          teacher: feats,
          runDir: dir,
          checkpointEvery: 2,
          ...quiet,
          config: { steps: 8, batchSize: 16, lr: 5e-3 },
          onStep: (r) => {
            if (r.step === stopAt) throw new Error('killed');
          },
        });
        return new Map([...adapter.params].map(([n, v]) => [n, v.dataSync().slice()]));
      } finally {
        enc.dispose();
        adapter.dispose();
      }
    };
    const straight = await run(tempDir('straight'));
    const dir = tempDir('resumed');
    await expect(run(dir, 5)).rejects.toThrow('killed');
    expect(existsSync(join(dir, 'ckpt'))).toBe(true);
    const resumed = await run(dir);
    for (const [name, values] of straight) expect(maxAbsDiff(resumed.get(name)!, values), name).toBe(0);
  });

  it('rejects teacher features of another corpus or dimension', async () => {
    const adapter = createAdapter({ variant: 'projection' }, target());
    const enc = injectAdapter(pair.next.visual, adapter);
    await expect(trainAdapter({ encoder: enc, corpus: tinyCorpus(32), teacher: feats, ...quiet })).rejects.toThrow(/cover 48 rows but the corpus has 32/);
    await expect(trainAdapter({ encoder: enc, corpus, teacher: { ...feats, dim: 10 }, ...quiet })).rejects.toThrow(
      /old features have 10 dims but the adapted encoder outputs 12/,
    );
    enc.dispose();
    adapter.dispose();
  });
});
