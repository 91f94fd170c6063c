import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { loadClip } from '@hotplug/backbones';
import type { PretrainConfig } from '../src/config';
import { prepareCorpus, type PreparedCorpus } from '../src/corpus';
import { expandWeightNames, pretrainModel, warmStart } from '../src/pretrain';
import { readPretrainConfig } from '../src/config';
import { configForTokenizer, createClip, resolveConfig, buildTokenizer } from '@hotplug/backbones';

// A tiny recipe: one narrow block per encoder, so a dozen steps take a few seconds.
const tiny: PretrainConfig = {
  name: 'tiny',
  description: 'test recipe',
  model: {
    base: 'hotplug-old',
    name: 'tiny',
    embedDim: 32,
    vision: { imageSize: 32, patchSize: 8, channels: 3, mean: [0.4, 0.35, 0.33], std: [0.27, 0.26, 0.23], width: 32, depth: 1, heads: 2 },
    text: { contextLength: 32, width: 64, depth: 1, heads: 2 },
  },
  seed: 5,
  steps: 12,
  batchSize: 32,
  lr: 0.003,
  warmupSteps: 2,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  clipGradNorm: 1,
  augment: true,
  checkpointEvery: 4,
};

let prepared: PreparedCorpus;
beforeAll(async () => {
  await initBackend();
  prepared = prepareCorpus({ size: 320 });
});

const weightsOf = (dir: string) => {
  const { clip } = loadClip(dir);
  const out = new Map([...clip.namedWeights()].map(([n, v]) => [n, Array.from(v.dataSync())]));
  clip.dispose();
  return out;
};

describe('pretrainModel', () => {
  it('builds a corpus from train splits only, with a tokenizer that knows every caption', () => {
    expect(prepared.corpus.split).toBe('train');
    expect(prepared.corpus.sourceNames).toEqual(['scenes-pretrain']);
    expect([prepared.corpus.height, prepared.corpus.channels]).toEqual([32, 3]);
    // The corpus the shipped pair was trained on stays available by name.
    const labels = prepareCorpus({ corpus: 'labels', seed: 0, maxPerDataset: 20 });
    expect([labels.corpus.size, labels.corpus.sourceNames.join('+')]).toEqual([40, 'fashion-mnist+mnist']);
    expect(prepared.corpus.size).toBe(320);
    expect(prepared.tokenIds.length).toBe(320 * 32);
    // Decoding spaces out punctuation ("left - hand", "objects :"); the words and their order must come back.
    const norm = (t: string) => t.replace(/\s+([,.;:])/g, '$1').replace(/\s*-\s*/g, '-');
    for (const caption of prepared.corpus.captions.slice(0, 50)) {
      expect(norm(prepared.tokenizer.decode(prepared.tokenizer.tokenize(caption)).trim())).toBe(caption.toLowerCase());
    }
  });

  it('lowers the contrastive loss and leaks no tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-pretrain-'));
    const counts: number[] = [];
    const { clip, summary } = await pretrainModel({ ...tiny, steps: 16 }, prepared, {
      runDir: join(dir, 'run'),
      outDir: join(dir, 'model'),
      progress: false,
      onStep: () => counts.push(tf.memory().numTensors),
    });
    const losses = summary.history.map((h) => h.loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
    expect(counts[counts.length - 1]).toBe(counts[2]);
    expect(JSON.parse(readFileSync(join(dir, 'model', 'config.json'), 'utf8')).text.vocabSize).toBe(prepared.tokenizer.vocabSize);
    clip.dispose();
  });

  it('resumes after a kill to the same weights as an uninterrupted run', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'hotplug-pretrain-a-'));
    const a = await pretrainModel(tiny, prepared, { runDir: join(dirA, 'run'), outDir: join(dirA, 'model'), progress: false });
    a.clip.dispose();

    const dirB = mkdtempSync(join(tmpdir(), 'hotplug-pretrain-b-'));
    const opts = { runDir: join(dirB, 'run'), outDir: join(dirB, 'model'), progress: false };
    await expect(
      pretrainModel(tiny, prepared, {
        ...opts,
        onStep: (r) => {
          if (r.step === 7) throw new Error('killed at step 7');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await pretrainModel(tiny, prepared, opts);
    expect(resumed.summary.startStep).toBe(4);
    resumed.clip.dispose();

    const wa = weightsOf(join(dirA, 'model'));
    const wb = weightsOf(join(dirB, 'model'));
    for (const [name, values] of wa) expect(wb.get(name), name).toEqual(values);
  });

  it('refuses a corpus whose image size the model does not take', async () => {
    const bad = { ...tiny, model: { ...tiny.model, vision: { ...tiny.model.vision, imageSize: 28, patchSize: 7 } } };
    await expect(pretrainModel(bad, prepared, { runDir: '/tmp/unused', outDir: '/tmp/unused', progress: false })).rejects.toThrow(
      /takes 28x28x3 images but the corpus holds 32x32x3/,
    );
  });

  it('warm-starts named weights from another model folder, and refuses mismatches with the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-pretrain-warm-'));
    const source = await pretrainModel({ ...tiny, steps: 2 }, prepared, { runDir: join(dir, 'run'), outDir: join(dir, 'source'), progress: false });
    const expected = Array.from(source.clip.text.tokenEmbedding.dataSync());
    source.clip.dispose();
    const fresh = () => createClip(configForTokenizer(resolveConfig(tiny.model), prepared.tokenizer), { seed: 99 });
    const clip = fresh();
    expect(Array.from(clip.text.tokenEmbedding.dataSync())).not.toEqual(expected);
    warmStart(clip, { from: join(dir, 'source'), weights: ['text.token_embedding'] }, prepared.tokenizer);
    expect(Array.from(clip.text.tokenEmbedding.dataSync())).toEqual(expected);
    expect(() => warmStart(clip, { from: join(dir, 'source'), weights: ['text.nope'] }, prepared.tokenizer)).toThrow(/has no weight "text.nope"/);
    clip.dispose();
    const wide = createClip(configForTokenizer(resolveConfig({ ...tiny.model, text: { width: 32, depth: 1, heads: 2 } }), prepared.tokenizer), { seed: 1 });
    expect(() => warmStart(wide, { from: join(dir, 'source'), weights: ['text.token_embedding'] }, prepared.tokenizer)).toThrow(/same shape/);
    wide.dispose();
    const other = buildTokenizer(['a completely different corpus'], { contextLength: 32 });
    const again = fresh();
    expect(() => warmStart(again, { from: join(dir, 'source'), weights: ['text.token_embedding'] }, other)).toThrow(/another tokenizer/);
    again.dispose();
  });

  it('expands "text.*" to the whole text tower and refuses a prefix that matches nothing', () => {
    const clip = createClip(configForTokenizer(resolveConfig(tiny.model), prepared.tokenizer), { seed: 1 });
    const weights = clip.namedWeights();
    const names = expandWeightNames(['text.*', 'logit_scale'], weights, 'x');
    expect(names.length).toBe([...weights.keys()].filter((n) => n.startsWith('text.')).length + 1);
    expect(names).toContain('text.token_embedding');
    expect(names.every((n) => n.startsWith('text.') || n === 'logit_scale')).toBe(true);
    expect(() => expandWeightNames(['vision.nothing*'], weights, 'x')).toThrow(/no weight of "x" matches/);
    clip.dispose();
  });

  it("ships pair B with old's whole text tower and width and a larger vision tower", () => {
    const read = (n: string) => readPretrainConfig(new URL(`../configs/${n}.json`, import.meta.url).pathname);
    const old = read('old');
    const next = read('new');
    const lineage = read('new-lineage');
    expect(lineage.warmStart).toEqual({ from: 'old', weights: ['text.*'] });
    expect(lineage.model.text).toEqual(old.model.text);
    expect(lineage.model.embedDim).toBe(old.model.embedDim);
    // A larger vision tower than old's, trained from scratch.
    const size = (v: typeof old.model.vision) => v!.width! * v!.width! * v!.depth!;
    expect(size(lineage.model.vision)).toBeGreaterThan(size(old.model.vision));
    expect(lineage.warmStart!.weights.some((w) => w.startsWith('visual.'))).toBe(false);
    // Pair A changes the embedding width, as ViT-B/32 -> ViT-L/14 does.
    expect(next.model.embedDim).not.toBe(old.model.embedDim);
    expect(next.seed).not.toBe(old.seed);
  });
});
