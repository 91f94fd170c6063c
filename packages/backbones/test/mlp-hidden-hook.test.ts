// The `mlpHidden` hook point: the MLP hidden activation after the non-linearity (where IA3 scales the MLP).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClip, exportImageEncoder, loadOnnxImageEncoder, type Clip, type EncoderHooks } from '../src/index';
import { maxAbsDiff, randomImages, setupBackend, tempDir } from './helpers';

type T = tf.Tensor;

// Plain tfjs, written from the definitions: fc(x) = x·W + b over the last axis; quickgelu(x) = x·σ(1.702x).
const dense = (x: T, w: T, b: T): T => tf.add(tf.reshape(tf.matMul(tf.reshape(x, [-1, w.shape[0]!]), w), [...x.shape.slice(0, -1), w.shape[1]!]), b);
const quickGelu = (x: T): T => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));

describe('mlpHidden hook', () => {
  let clip: Clip;
  beforeAll(async () => {
    await setupBackend();
    clip = createClip({ base: 'hotplug-old', name: 'test-old', text: { vocabSize: 40, eotTokenId: 2 } }, { seed: 3 });
  });
  afterAll(() => clip.dispose());

  it('sees [batch, tokens, mlpWidth] after the activation, and an identity or observing hook changes nothing', () => {
    const v = clip.config.vision;
    const images = randomImages(clip.config, 2, 6);
    const seen: string[] = [];
    tf.tidy(() => {
      const plain = clip.visual.forward(images).embedding;
      const observe: EncoderHooks = {
        mlpHidden: ({ block, preActivation, output }) => {
          seen.push(`${block}:${(output as T).shape}`);
          // output is the activation of fc1's output.
          expect(maxAbsDiff((output as T).dataSync(), quickGelu(preActivation as T).dataSync())).toBeLessThan(1e-6);
        },
      };
      const observed = clip.visual.forward(images, { hooks: [observe] }).embedding;
      const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
      expect(seen).toEqual(Array.from({ length: v.depth }, (_, i) => `${i}:2,${tokens},${v.width * v.mlpRatio}`));
      const ones = tf.ones([v.width * v.mlpRatio]);
      const identity: EncoderHooks = { mlpHidden: ({ ops, output }) => ops.mul(output, ops.weight('ones', ones)) };
      const scaledByOne = clip.visual.forward(images, { hooks: [identity] }).embedding;
      expect(maxAbsDiff(observed.dataSync(), plain.dataSync())).toBe(0);
      expect(maxAbsDiff(scaledByOne.dataSync(), plain.dataSync())).toBe(0);
    });
    images.dispose();
  });

  it('a per-channel scale of the hidden layer equals fc2(scale ⊙ act(fc1(LN(x)))) computed with plain ops', () => {
    const v = clip.config.vision;
    const m = v.width * v.mlpRatio;
    const images = randomImages(clip.config, 2, 7);
    const W = clip.namedWeights();
    const w = (n: string) => W.get(`visual.blocks.1.mlp.${n}`)!;
    tf.tidy(() => {
      const scale = tf.randomUniform([m], 0.2, 2, 'float32', 8);
      let normed: T | undefined;
      let mlpOut: T | undefined;
      const hooks: EncoderHooks = {
        blocks: [1],
        mlpHidden: ({ ops, output }) => ops.mul(output, ops.weight('scale', scale)),
        // The MLP sub-layer's LayerNorm output and its (hooked) output, to check the block's MLP against plain ops.
        sublayer: ({ sublayer, normed: n, output }) => {
          if (sublayer === 'mlp') [normed, mlpOut] = [n as T, output as T];
        },
      };
      const plain = clip.visual.forward(images).embedding;
      const scaled = clip.visual.forward(images, { hooks: [hooks] }).embedding;
      const want = dense(tf.mul(quickGelu(dense(normed!, w('fc1.weight'), w('fc1.bias'))), scale), w('fc2.weight'), w('fc2.bias'));
      expect(maxAbsDiff(mlpOut!.dataSync(), want.dataSync())).toBeLessThan(1e-5);
      expect(maxAbsDiff(scaled.dataSync(), plain.dataSync())).toBeGreaterThan(1e-3);
    });
    images.dispose();
  });

  it('exports to ONNX and matches tfjs under onnxruntime-node', async () => {
    const v = clip.config.vision;
    const scale = tf.variable(tf.randomUniform([v.width * v.mlpRatio], 0, 2, 'float32', 9));
    const hooks: EncoderHooks = { blocks: [0], mlpHidden: ({ ops, output }) => ops.mul(output, ops.weight('ia3.mlp', scale)) };
    const images = randomImages(clip.config, 3, 10);
    const plain = tf.tidy(() => clip.visual.forward(images).embedding);
    const expected = tf.tidy(() => clip.visual.forward(images, { hooks: [hooks] }).embedding);
    const path = join(tempDir('mlp-hidden'), 'visual-ia3.onnx');
    exportImageEncoder(clip.visual, path, { hooks: [hooks] });
    const ort = await loadOnnxImageEncoder(path);
    const got = await ort.encode(images);
    expect(maxAbsDiff(expected.dataSync(), plain.dataSync())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(got.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([scale, images, plain, expected, got]);
    ort.dispose();
  });
});
