import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createClip, embedImageBytes, getConfig, normalizeImages, type Clip, type EncoderHooks, type LinearName } from '../src/index';
import { maxAbsDiff, randomImages, setupBackend } from './helpers';

function createClipNames(name: string): string[] {
  const m = createClip(name);
  const names = [...m.namedWeights().keys()];
  m.dispose();
  return names;
}

describe('CLIP encoders', () => {
  let clip: Clip;
  beforeAll(async () => {
    await setupBackend();
    clip = createClip({ base: 'hotplug-old', name: 'test-old', text: { vocabSize: 40, eotTokenId: 2 } }, { seed: 1 });
  });
  afterAll(() => clip.dispose());

  const ids = () =>
    tf.tensor2d(
      [
        [1, 5, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 7, 8, 9, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      ],
      undefined,
      'int32',
    );

  it('produces embeddings of the configured sizes, deterministically per seed', async () => {
    const images = randomImages(clip.config, 3);
    const emb = await clip.visual.encode(images);
    expect(emb.shape).toEqual([3, 64]);
    const same = createClip({ base: 'hotplug-old', name: 'test-old', text: { vocabSize: 40, eotTokenId: 2 } }, { seed: 1 });
    const other = createClip({ base: 'hotplug-old', name: 'test-old', text: { vocabSize: 40, eotTokenId: 2 } }, { seed: 2 });
    const a = await same.visual.encode(images);
    const b = await other.visual.encode(images);
    expect(maxAbsDiff(a.dataSync(), emb.dataSync())).toBe(0);
    expect(maxAbsDiff(b.dataSync(), emb.dataSync())).toBeGreaterThan(1e-3);
    const t = ids();
    const textEmb = await clip.text.encode(t);
    expect(textEmb.shape).toEqual([2, 64]);
    tf.dispose([images, emb, a, b, t, textEmb]);
    same.dispose();
    other.dispose();
    const blank = createClip('hotplug-old', { init: 'none' });
    expect([...blank.namedWeights().values()].every((v) => tf.max(tf.abs(v)).dataSync()[0] === 0)).toBe(true);
    expect([...blank.namedWeights().keys()]).toEqual([...createClipNames('hotplug-old')]);
    blank.dispose();
    expect(() => createClip('hotplug-old', { init: 'xavier' as never })).toThrow(/init must be 'random' or 'none'/);
  });

  it('hooks see input, normed input and output of every sub-layer and linear, and can replace outputs', () => {
    const seen: string[] = [];
    const linears: LinearName[] = [];
    const hooks: EncoderHooks = {
      blocks: [1],
      sublayer({ block, sublayer, input, normed, output }) {
        seen.push(`${block}:${sublayer}:${(input as tf.Tensor).shape}:${(normed as tf.Tensor).shape}:${(output as tf.Tensor).shape}`);
      },
      linear({ block, linear }) {
        if (block === 1) linears.push(linear);
      },
    };
    const images = randomImages(clip.config, 2, 4);
    tf.tidy(() => {
      const base = clip.visual.forward(images, { returnTokens: [0, 2] });
      expect([...base.tokens.keys()]).toEqual([0, 2]);
      expect(base.tokens.get(2)!.shape).toEqual([2, 17, 64]);
      expect(base.pooled.shape).toEqual([2, 64]);
      const hooked = clip.visual.forward(images, { hooks: [hooks] });
      expect(seen).toEqual(['1:attention:2,17,64:2,17,64:2,17,64', '1:mlp:2,17,64:2,17,64:2,17,64']);
      expect(linears).toEqual(['q', 'k', 'v', 'out', 'fc1', 'fc2']);
      expect(maxAbsDiff(hooked.embedding.dataSync(), base.embedding.dataSync())).toBe(0); // observing changes nothing
      // Zeroing the MLP output of the last block equals stopping the block after attention.
      const zeroMlp: EncoderHooks = {
        blocks: (b) => b === 2,
        sublayer: ({ ops, sublayer, output }) => (sublayer === 'mlp' ? ops.scale(output, 0) : undefined),
      };
      const captured: tf.Tensor[] = [];
      const capture: EncoderHooks = {
        blocks: [2],
        sublayer: ({ sublayer, input, output }) => void (sublayer === 'mlp' && captured.push(input as tf.Tensor, output as tf.Tensor)),
      };
      const cut = clip.visual.forward(images, { hooks: [zeroMlp, capture], returnTokens: [2] });
      expect(maxAbsDiff(captured[1]!.dataSync(), new Float32Array(captured[1]!.size))).toBe(0); // later hooks see the replacement
      expect(maxAbsDiff(cut.tokens.get(2)!.dataSync(), captured[0]!.dataSync())).toBe(0);
    });
    images.dispose();
  });

  it('installed hooks persist until removed', async () => {
    const images = randomImages(clip.config, 2, 5);
    const before = await clip.visual.encode(images);
    const remove = clip.visual.addHooks({ block: ({ ops, block, output }) => (block === 0 ? ops.scale(output, 2) : undefined) });
    const during = await clip.visual.encode(images);
    remove();
    const after = await clip.visual.encode(images);
    expect(maxAbsDiff(during.dataSync(), before.dataSync())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after.dataSync(), before.dataSync())).toBe(0);
    tf.dispose([images, before, during, after]);
  });

  it('encodeEmbeddings on looked-up token embeddings equals encodeTokens', () => {
    const t = ids();
    tf.tidy(() => {
      const direct = clip.text.encodeTokens(t);
      const viaEmb = clip.text.encodeEmbeddings(clip.text.embedTokens(t), [3, 5]);
      expect(maxAbsDiff(direct.embedding.dataSync(), viaEmb.embedding.dataSync())).toBeLessThan(1e-6);
      expect(clip.text.tokenEmbedding.shape).toEqual([40, 64]);
      expect(clip.text.tokenWidth).toBe(64);
    });
    t.dispose();
  });

  it('gradients reach prompt embeddings (checked against finite differences)', () => {
    const t = ids();
    const emb = tf.tidy(() => clip.text.embedTokens(t));
    const eot = [3, 5];
    const probe = tf.tidy(() => tf.randomNormal([2, 64], 0, 1, 'float32', 9));
    const loss = (e: tf.Tensor) => tf.sum(tf.mul(clip.text.encodeEmbeddings(e as tf.Tensor3D, eot).embedding, probe)) as tf.Scalar;
    const grad = tf.tidy(() => tf.grad(loss)(emb));
    const g = grad.dataSync();
    const base = emb.dataSync();
    // Small steps: token embeddings are tiny (std 0.02) and LayerNorm makes the loss strongly curved.
    const h = 2e-3;
    for (const index of [64 * 1 + 3, 64 * 3 + 10, 16 * 64 + 64 * 4 + 7]) {
      const bump = (d: number) =>
        tf.tidy(() => {
          const copy = Float32Array.from(base);
          copy[index]! += d;
          return loss(tf.tensor3d(copy, emb.shape as [number, number, number])).dataSync()[0]!;
        });
      const numeric = (bump(h) - bump(-h)) / (2 * h);
      expect(Math.abs(numeric - g[index]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)));
    }
    // Tokens after the EOT cannot influence the pooled output (causal mask).
    expect(Math.abs(g[16 * 64 + 64 * 7 + 1]!)).toBeLessThan(1e-12);
    tf.dispose([t, emb, probe, grad]);
  });

  it('freeze() makes backbone variables non-trainable; namedWeights lists them by checkpoint name', () => {
    const m = createClip('hotplug-new', { seed: 3 });
    const names = [...m.namedWeights().keys()];
    expect(names).toContain('visual.blocks.3.mlp.fc2.weight');
    expect(names).toContain('text.token_embedding');
    expect(names).toContain('logit_scale');
    expect([...m.visual.namedWeights().keys()].every((n) => n.startsWith('visual.'))).toBe(true);
    m.visual.freeze();
    expect([...m.visual.namedWeights().values()].every((v) => !v.trainable)).toBe(true);
    expect([...m.text.namedWeights().values()].every((v) => v.trainable)).toBe(true);
    m.freeze();
    expect([...m.namedWeights().values()].some((v) => v.trainable)).toBe(false);
    // With the backbone frozen, only the adapter variable gets a gradient.
    const adapter = tf.variable(tf.zeros([m.config.vision.width]));
    const images = randomImages(m.config, 2, 6);
    const hooks: EncoderHooks = { blocks: [0], sublayer: ({ ops, output }) => ops.add(output, ops.weight('adapter', adapter)) };
    const { grads } = tf.variableGrads(() => tf.sum(m.visual.forward(images, { hooks: [hooks] }).embedding) as tf.Scalar);
    expect(Object.keys(grads)).toEqual([adapter.name]);
    tf.dispose([...Object.values(grads), adapter, images]);
    m.dispose();
  });

  it('does not leak tensors across a forward pass or an adapter training step', async () => {
    const images = randomImages(clip.config, 2, 7);
    const t = ids();
    const adapter = tf.variable(tf.zeros([64]));
    const hooks: EncoderHooks = { sublayer: ({ ops, output }) => ops.add(output, ops.weight('adapter', adapter)) };
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(clip.visual.forward(images, { hooks: [hooks] }).embedding)) as tf.Scalar, [adapter]);
      tf.tidy(() => adapter.assign(tf.sub(adapter, tf.mul(grads[adapter.name]!, 1e-3))));
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    (await clip.visual.encode(images)).dispose();
    (await clip.text.encode(t)).dispose();
    const before = tf.memory().numTensors;
    step();
    (await clip.visual.encode(images, { batchSize: 1 })).dispose();
    (await clip.text.encode(t)).dispose();
    tf.tidy(() => {
      clip.text.encodeEmbeddings(clip.text.embedTokens(t), [3, 5]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, t, adapter]);
  });

  it('dispose() frees every byte a model allocated', () => {
    const before = tf.memory();
    const m = createClip('hotplug-old', { seed: 4 });
    expect(tf.memory().numBytes - before.numBytes).toBe([...m.namedWeights().values()].reduce((sum, v) => sum + v.size * 4, 0));
    m.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('rejects malformed inputs with the expected shape in the message', async () => {
    await expect(clip.visual.encode(tf.zeros([2, 1, 28, 28]) as tf.Tensor4D)).rejects.toThrow(
      /expects NHWC images \[batch, 28, 28, 1\], got \[2, 1, 28, 28\] \(looks like NCHW/,
    );
    await expect(clip.visual.encode(tf.zeros([2, 28, 28, 1], 'int32') as tf.Tensor4D)).rejects.toThrow(/expects float32 images/);
    await expect(clip.visual.encode(randomImages(clip.config, 1), { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(clip.visual.encode(tf.zeros([0, 28, 28, 1]) as tf.Tensor4D)).rejects.toThrow(/empty batch/);
    await expect(clip.text.encode(tf.zeros([2, 10], 'int32') as tf.Tensor2D)).rejects.toThrow(/expects token ids \[batch, 16\], got \[2, 10\]/);
    await expect(clip.text.encode(tf.zeros([1, 16], 'float32') as tf.Tensor2D)).rejects.toThrow(/token ids must be int32/);
    await expect(clip.text.encode(tf.fill([1, 16], 99, 'int32') as tf.Tensor2D)).rejects.toThrow(/token id 99 in row 0 is outside the vocabulary 0..39/);
    await expect(clip.text.encode(tf.fill([1, 16], 5, 'int32') as tf.Tensor2D)).rejects.toThrow(/row 0 of the token ids has no EOT token \(id 2\)/);
    expect(() => clip.text.encodeEmbeddings(tf.zeros([1, 16, 32]) as tf.Tensor3D, [1])).toThrow(/expects embeddings \[batch, 16, 64\]/);
    expect(() => clip.text.encodeEmbeddings(tf.zeros([1, 16, 64]) as tf.Tensor3D, [16])).toThrow(/EOT index 16 is outside 0..15/);
    expect(() => clip.text.encodeEmbeddings(tf.zeros([2, 16, 64]) as tf.Tensor3D, [1])).toThrow(/one EOT index per row: got 1 for batch 2/);
  });

  it('normalizeImages applies the config mean/std per channel', () => {
    const vision = { ...getConfig('ViT-B-32').vision, imageSize: 1 };
    const out = normalizeImages(tf.tensor4d([0.5, 0.25, 1], [1, 1, 1, 3]), vision);
    const expected = [0.5, 0.25, 1].map((x, c) => (x - vision.mean[c]!) / vision.std[c]!);
    expect(maxAbsDiff(out.dataSync(), expected)).toBeLessThan(1e-6);
    expect(() => normalizeImages(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, vision)).toThrow(/expects NHWC images with 3 channel\(s\), got \[1, 2, 2, 1\]/);
    out.dispose();
  });

  it('embedImageBytes matches encoding the normalised images by hand, in any batch size, leaking nothing', async () => {
    const n = 5;
    const bytes = Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 37 + (i >> 5)) % 256);
    const stack = { name: 'synthetic', size: n, height: 28, width: 28, channels: 1, images: bytes };
    const expected = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Array.from(bytes), [n, 28, 28, 1]), 255) as tf.Tensor4D;
      const e = clip.visual.forward(tf.div(tf.sub(x, clip.config.vision.mean[0]!), clip.config.vision.std[0]!) as tf.Tensor4D).embedding;
      return tf.div(e, tf.norm(e, 'euclidean', 1, true));
    });
    const want = expected.dataSync();
    const before = tf.memory().numTensors;
    for (const batchSize of [2, 256]) {
      const got = await embedImageBytes(clip, stack, { batchSize });
      expect([got.rows, got.dim]).toEqual([n, 64]);
      expect(maxAbsDiff(got.data, want)).toBeLessThan(1e-5);
    }
    // A replacement forward (e.g. an adapted encoder with a projection) sets the width.
    const halved = await embedImageBytes(clip, stack, { batchSize: 2, forward: (x) => tf.slice(clip.visual.forward(x).embedding, [0, 0], [-1, 32]) });
    expect(halved.dim).toBe(32);
    expect(tf.memory().numTensors).toBe(before);
    await expect(embedImageBytes(clip, { ...stack, height: 8, width: 8, images: bytes.subarray(0, n * 64) })).rejects.toThrow(
      /takes 28x28x1 images; dataset "synthetic" has 8x8x1/,
    );
    expected.dispose();
  });
});
