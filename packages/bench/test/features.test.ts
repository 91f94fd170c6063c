import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, type Clip, type Tokenizer } from '@hotplug/backbones';
import type { ImageDataset } from '@hotplug/data';
import { featureMatrix } from '@hotplug/heads';
import { imageFeatures, zeroShotClassifier, zeroShotPredict } from '../src/index';

let clip: Clip;
let tokenizer: Tokenizer;
const texts = ['a photo of a cat.', 'a photo of a dog.', 'a drawing of a cat.', 'a drawing of a dog.'];

beforeAll(async () => {
  await initBackend();
  tokenizer = buildTokenizer(texts, { contextLength: 8, vocabSize: 600 });
  const config = configForTokenizer(
    resolveConfig({
      base: 'hotplug-old',
      name: 'tiny',
      embedDim: 8,
      vision: { imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2 },
      text: { width: 16, depth: 1, heads: 2, contextLength: 8 },
    }),
    tokenizer,
  );
  clip = createClip(config, { seed: 3 });
});

function dataset(n: number): ImageDataset {
  const images = new Uint8Array(n * 64);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  return { name: 'synthetic', split: 'test', size: n, height: 8, width: 8, channels: 1, images, labels: new Int32Array(n), classNames: ['a'] };
}

describe('zeroShotPredict', () => {
  it('picks the most similar class (hand-worked)', () => {
    const images = featureMatrix(new Float32Array([1, 0, 0, 1, 0.6, 0.8]), 3, 2);
    const classes = featureMatrix(new Float32Array([0, 1, 1, 0]), 2, 2);
    expect([...zeroShotPredict(images, classes)]).toEqual([1, 0, 0]); // [0.6, 0.8]: 0.8 with class 0 = [0, 1], 0.6 with class 1
    expect(() => zeroShotPredict(images, featureMatrix(new Float32Array(3), 1, 3, 'other'))).toThrow(
      /zero-shot classifier was built on 3-dim features \(model "other"\) but got 2-dim features/,
    );
  });
});

describe('imageFeatures', () => {
  it('equals the normalised forward pass of normalised pixels, in any batch size', async () => {
    const ds = dataset(5);
    const f = await imageFeatures({ id: 'tiny', clip }, ds, 2);
    expect([f.rows, f.dim, f.modelId]).toEqual([5, 8, 'tiny']);
    const { mean, std } = clip.config.vision;
    const expected = tf.tidy(() => {
      const x = tf.div(tf.sub(tf.div(tf.tensor4d(Float32Array.from(ds.images), [5, 8, 8, 1]), 255), mean[0]!), std[0]!) as tf.Tensor4D;
      const e = clip.visual.forward(x).embedding;
      return tf.div(e, tf.norm(e, 'euclidean', 1, true));
    });
    const want = expected.dataSync();
    for (let i = 0; i < want.length; i++) expect(f.data[i]).toBeCloseTo(want[i]!, 5);
    expected.dispose();
  });

  it('takes another forward pass when given one (an adapted encoder)', async () => {
    const ds = dataset(3);
    const f = await imageFeatures({ id: 'projected', clip, forward: (x) => tf.slice(clip.visual.forward(x).embedding, [0, 0], [-1, 3]) }, ds);
    const full = await imageFeatures({ id: 'tiny', clip }, ds);
    expect([f.rows, f.dim]).toEqual([3, 3]);
    for (let r = 0; r < 3; r++) {
      const head = Array.from(full.data.subarray(r * 8, r * 8 + 3));
      const n = Math.hypot(...head);
      head.forEach((v, i) => {
        expect(f.data[r * 3 + i]).toBeCloseTo(v / n, 5);
      });
    }
  });

  it('rejects images of another size', async () => {
    const ds = { ...dataset(1), height: 28, width: 28, images: new Uint8Array(784) };
    await expect(imageFeatures({ id: 'tiny', clip }, ds)).rejects.toThrow(/takes 8x8x1 images; dataset "synthetic" has 28x28x1/);
  });
});

describe('zeroShotClassifier', () => {
  it('averages normalised prompt embeddings per class and renormalises', async () => {
    const prompts = [['a photo of a cat.', 'a drawing of a cat.'], ['a photo of a dog.']];
    const m = await zeroShotClassifier({ id: 'tiny', clip, tokenizer }, prompts);
    expect([m.rows, m.dim, m.modelId]).toEqual([2, 8, 'tiny']);
    const unit = (v: number[]) => {
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const embed = (t: string) => unit([...clip.text.encodeTokens(tokenizer.encodeBatch([t])).embedding.dataSync()]);
    const cat = unit(embed(prompts[0]![0]!).map((x, i) => x + embed(prompts[0]![1]!)[i]!));
    const dog = embed(prompts[1]![0]!);
    [...cat, ...dog].forEach((v, i) => {
      expect(m.data[i]).toBeCloseTo(v, 5);
    });
    await expect(zeroShotClassifier({ id: 'tiny', clip, tokenizer }, [[]])).rejects.toThrow(/class 0 has no prompts/);
  });

  it('builds the same classifier from class names × templates', async () => {
    const model = { id: 'tiny', clip, tokenizer };
    const fromTemplates = await zeroShotClassifier(model, { classNames: ['cat', 'dog'], templates: ['a photo of a {}.', 'a drawing of a {}.'] });
    const written = await zeroShotClassifier(model, [
      ['a photo of a cat.', 'a drawing of a cat.'],
      ['a photo of a dog.', 'a drawing of a dog.'],
    ]);
    expect(Array.from(fromTemplates.data)).toEqual(Array.from(written.data));
  });
});
