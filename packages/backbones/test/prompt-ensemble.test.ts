import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  buildTokenizer,
  configForTokenizer,
  createClip,
  exportTextEncoder,
  loadOnnxTextEncoder,
  promptEnsemble,
  PromptSetError,
  resolveConfig,
  type Clip,
  type Tokenizer,
} from '../src/index';
import { maxAbsDiff, setupBackend, tempDir } from './helpers';

const texts = ['a photo of a cat.', 'a photo of a dog.', 'a drawing of a cat.', 'a drawing of a dog.', 'a photo of a big bird.', 'a drawing of a big bird.'];
let clip: Clip;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await setupBackend();
  tokenizer = buildTokenizer(texts, { contextLength: 8, vocabSize: 600 });
  const config = configForTokenizer(
    resolveConfig({
      base: 'hotplug-old',
      name: 'tiny-text',
      embedDim: 8,
      vision: { imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2 },
      text: { width: 16, depth: 1, heads: 2, contextLength: 8 },
    }),
    tokenizer,
  );
  clip = createClip(config, { seed: 5 });
});
afterAll(() => clip.dispose());

/** The reference: each prompt through the synchronous forward pass, normalised, averaged, renormalised (plain arithmetic). */
function reference(prompts: string[][]): number[] {
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  return prompts.flatMap((list) => {
    const vecs = list.map((t) => tf.tidy(() => unit([...clip.text.encodeTokens(tokenizer.encodeBatch([t])).embedding.dataSync()])));
    return unit(vecs[0]!.map((_, d) => vecs.reduce((s, v) => s + v[d]!, 0)));
  });
}

describe('promptEnsemble', () => {
  const classNames = ['cat', 'dog', 'big bird'];
  const templates = ['a photo of a {}.', 'a drawing of a {}.'];

  it('is the normalised mean of the normalised prompt embeddings of each class', async () => {
    const before = tf.memory().numTensors;
    const got = await promptEnsemble(clip.text, tokenizer, { classNames, templates });
    expect(tf.memory().numTensors).toBe(before);
    expect([got.classes, got.dim]).toEqual([3, 8]);
    const want = reference(classNames.map((c) => templates.map((t) => t.replace('{}', c))));
    expect(maxAbsDiff(got.data, want)).toBeLessThan(1e-5);
    for (let c = 0; c < 3; c++) expect(Math.hypot(...got.data.subarray(c * 8, c * 8 + 8))).toBeCloseTo(1, 5);
  });

  it('takes written-out prompts (uneven per class) and does not depend on the batch size', async () => {
    const prompts = [
      ['a photo of a cat.', 'a drawing of a cat.'],
      ['a photo of a dog.'],
      ['a photo of a big bird.', 'a drawing of a big bird.', 'a photo of a dog.'],
    ];
    const whole = await promptEnsemble(clip.text, tokenizer, prompts);
    const chunked = await promptEnsemble(clip.text, tokenizer, prompts, { batchSize: 2 });
    expect(maxAbsDiff(whole.data, reference(prompts))).toBeLessThan(1e-5);
    expect(maxAbsDiff(whole.data, chunked.data)).toBeLessThan(1e-6);
    // A class with a single prompt is that prompt's unit embedding.
    expect(maxAbsDiff(whole.data.subarray(8, 16), reference([['a photo of a dog.']]))).toBeLessThan(1e-5);
  });

  it('gives the same classifier through an onnxruntime text encoder', async () => {
    const path = join(tempDir('prompt-ensemble'), 'text.onnx');
    exportTextEncoder(clip.text, path);
    const ort = await loadOnnxTextEncoder(path);
    try {
      const fromOrt = await promptEnsemble(ort, tokenizer, { classNames, templates });
      const fromTf = await promptEnsemble(clip.text, tokenizer, { classNames, templates });
      expect(maxAbsDiff(fromOrt.data, fromTf.data)).toBeLessThan(1e-4);
    } finally {
      ort.dispose();
    }
  });

  it('refuses prompt sets it cannot ensemble, with the fix', async () => {
    await expect(promptEnsemble(clip.text, tokenizer, [])).rejects.toThrow(PromptSetError);
    await expect(promptEnsemble(clip.text, tokenizer, [['a photo of a cat.'], []])).rejects.toThrow(/class 1 has no prompts/);
    await expect(promptEnsemble(clip.text, tokenizer, { classNames, templates: ['a photo'] })).rejects.toThrow(/template "a photo" has no "\{\}"/);
    await expect(promptEnsemble(clip.text, tokenizer, [['a cat']], { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
  });
});
