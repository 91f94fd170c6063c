// IA3 (Liu et al. 2022) written as a user would, through registerAdapter and the hooks: learned
// vectors, initialised to ones, that rescale the attention keys and values (`linear` hook on k, v)
// and the MLP hidden activation after its non-linearity (`mlpHidden` hook).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadOnnxImageEncoder } from '@hotplug/backbones';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterBuilder, adapterTarget, createAdapter, exportAdaptedEncoder, injectAdapter, registerAdapter, type AdapterFactory } from '../src/index';
import { maxAbsDiff, normalizedImages, randomizeAdapter, setup, tempDir, tinyCorpus, tinyPair } from './helpers';
import { REFERENCES, referenceForward } from './reference';

const ia3: AdapterFactory<Record<string, never>> = (config, target) => {
  const b = new AdapterBuilder(config, target);
  const kv = new Map<string, string>();
  const mlp = new Map<number, string>();
  for (const block of b.blocks) {
    for (const linear of ['k', 'v']) kv.set(`${block}.${linear}`, b.ones(`adapter.blocks.${block}.ia3_${linear}`, [target.width]));
    mlp.set(block, b.ones(`adapter.blocks.${block}.ia3_mlp`, [target.mlpWidth]));
  }
  return b.build({
    linear: ({ ops, block, linear, output }) => {
      const name = kv.get(`${block}.${linear}`);
      if (name) return ops.mul(output, b.weight(ops, name));
    },
    mlpHidden: ({ ops, block, output }) => {
      const name = mlp.get(block);
      if (name) return ops.mul(output, b.weight(ops, name));
    },
  });
};

// The reference scales k and v, and the hidden layer after the activation (not fc1's output).
const references = {
  ...REFERENCES,
  'ia3-test': {
    linear: (r, i, name, _input, y) => (name === 'k' || name === 'v' ? tf.mul(y, r.p(`adapter.blocks.${i}.ia3_${name}`)) : y),
    mlpHidden: (r, i, hidden) => tf.mul(hidden, r.p(`adapter.blocks.${i}.ia3_mlp`)),
  },
} satisfies typeof REFERENCES;

describe('IA3 through the hooks', () => {
  let pair: ReturnType<typeof tinyPair>;
  let images: tf.Tensor4D;
  beforeAll(async () => {
    await setup();
    pair = tinyPair();
    const { mean, std } = pair.next.config.vision;
    images = normalizedImages(tinyCorpus(), 5, mean, std);
    registerAdapter('ia3-test', ia3, { defaults: {}, describe: 'IA3 (test)' });
  });
  afterAll(() => {
    images.dispose();
    pair.old.dispose();
    pair.next.dispose();
  });

  it('starts as the new model, and matches the plain-op reference with trained vectors', () => {
    const adapter = createAdapter({ variant: 'ia3-test' }, adapterTarget(pair.next.visual, 12));
    // k, v of width 24 and the MLP hidden layer of width 96, in both blocks.
    expect(adapter.parameterCount()).toBe(2 * (24 + 24 + 96));
    const enc = injectAdapter(pair.next.visual, adapter);
    const plain = tf.tidy(() => referenceForward(pair.next, null, images));
    const initial = tf.tidy(() => enc.forward(images));
    expect(maxAbsDiff(initial.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
    randomizeAdapter(adapter, 3, 0.8);
    const adapted = tf.tidy(() => enc.forward(images));
    const reference = tf.tidy(() => referenceForward(pair.next, adapter, images, references));
    expect(maxAbsDiff(adapted.dataSync(), reference.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(adapted.dataSync(), plain.dataSync())).toBeGreaterThan(1e-2);
    tf.dispose([plain, initial, adapted, reference]);
    enc.dispose();
    adapter.dispose();
  });

  it('exports to ONNX and matches tfjs under onnxruntime-node', async () => {
    const adapter = createAdapter({ variant: 'ia3-test', outputProjection: 'always' }, adapterTarget(pair.next.visual, 10));
    randomizeAdapter(adapter, 5, 0.8);
    const enc = injectAdapter(pair.next.visual, adapter);
    const path = join(tempDir('onnx-ia3'), 'adapted.onnx');
    exportAdaptedEncoder(enc, path);
    const ort = await loadOnnxImageEncoder(path, { batchSize: 4 });
    const a = await ort.encode(images);
    const b = await enc.encode(images, { batchSize: 4 });
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-4);
    tf.dispose([a, b]);
    ort.dispose();
    enc.dispose();
    adapter.dispose();
  });
});
