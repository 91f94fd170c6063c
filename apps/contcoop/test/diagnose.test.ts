import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, loadClip, resolveConfig, saveClip } from '@hotplug/backbones';
import { classPrompts } from '@hotplug/data';
import { driftFromInit } from '../src/diagnose';

const dir = mkdtempSync(join(tmpdir(), 'app-contcoop-drift-'));

beforeAll(async () => {
  await initBackend();
  const tokenizer = buildTokenizer(classPrompts('mnist').prompts.flat(), { contextLength: 16, vocabSize: 600, minFrequency: 1 });
  const config = resolveConfig({
    base: 'hotplug-old',
    name: 'drift',
    embedDim: 16,
    vision: { width: 32, depth: 1, heads: 2 },
    text: { width: 16, depth: 1, heads: 2 },
  });
  const clip = createClip(configForTokenizer(config, tokenizer), { seed: 7 });
  saveClip(clip, dir, tokenizer);
  clip.dispose();
});

describe('driftFromInit', () => {
  it('is exactly 1 for an untrained model, lower once the embeddings moved, and absent without a recorded seed', () => {
    const { clip, tokenizer } = loadClip(dir);
    const model = { dir, clip, tokenizer: tokenizer! };
    expect(driftFromInit(model)).toBeUndefined();
    writeFileSync(join(dir, 'training.json'), JSON.stringify({ seed: 7 }));
    expect(driftFromInit(model)!.sameTokenCosine).toBeCloseTo(1, 6);
    const e = model.clip.text.tokenEmbedding;
    e.assign(tf.tidy(() => tf.add(e, tf.randomNormal(e.shape, 0, 0.02, 'float32', 1))));
    expect(driftFromInit(model)!.sameTokenCosine).toBeLessThan(0.9);
    // A token table warm-started from another model did not start from the seed's random one.
    writeFileSync(join(dir, 'training.json'), JSON.stringify({ seed: 7, warmStart: { from: 'old', weights: ['text.token_embedding'] } }));
    expect(driftFromInit(model)).toBeUndefined();
    model.clip.dispose();
  });
});
