import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig } from '@hotplug/backbones';
import { classPrompts } from '@hotplug/data';
import { tokenSpaceRelation, type PromptModel } from '../src/index';

let models: PromptModel[];

beforeAll(async () => {
  await initBackend();
  const tokenizer = buildTokenizer(classPrompts('mnist').prompts.flat(), { contextLength: 16, vocabSize: 600, minFrequency: 1 });
  models = [1, 2].map((seed) => {
    const config = resolveConfig({
      base: 'hotplug-old',
      name: `t${seed}`,
      embedDim: 16,
      vision: { width: 32, depth: 1, heads: 2 },
      text: { width: 16, depth: 1, heads: 2 },
    });
    return { clip: createClip(configForTokenizer(config, tokenizer), { seed }), tokenizer };
  });
});

describe('tokenSpaceRelation', () => {
  it('finds a rotated copy of the embeddings perfectly predictable, and an independent one not', () => {
    const [a, b] = models as [PromptModel, PromptModel];
    const self = tokenSpaceRelation(a, a);
    expect(self.sameTokenCosine).toBeCloseTo(1, 5);
    expect(self.linearMapHeldOutR2).toBeGreaterThan(0.999);
    // b's table := a's table times an orthogonal matrix (from a QR decomposition).
    const [q] = tf.linalg.qr(tf.randomNormal([16, 16], 0, 1, 'float32', 5));
    const saved = b.clip.text.tokenEmbedding.clone();
    b.clip.text.tokenEmbedding.assign(tf.matMul(a.clip.text.tokenEmbedding, q!));
    const rotated = tokenSpaceRelation(a, b);
    expect(rotated.linearMapHeldOutR2).toBeGreaterThan(0.999);
    expect(Math.abs(rotated.sameTokenCosine)).toBeLessThan(0.5);
    b.clip.text.tokenEmbedding.assign(saved);
    const independent = tokenSpaceRelation(a, b);
    expect(Math.abs(independent.sameTokenCosine)).toBeLessThan(0.1);
    expect(independent.linearMapHeldOutR2).toBeLessThan(0.2);
  });
});
