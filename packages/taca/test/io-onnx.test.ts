import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createClip, loadClip, loadOnnxImageEncoder, saveClip } from '@hotplug/backbones';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterTarget, createAdapter, exportAdaptedEncoder, injectAdapter, loadAdapter, readAdapterManifest, saveAdapter, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../src/index';
import { maxAbsDiff, normalizedImages, randomizeAdapter, setup, tempDir, tinyCorpus, tinyPair } from './helpers';

describe('saving, loading and exporting adapters', () => {
  let pair: ReturnType<typeof tinyPair>;
  let images: tf.Tensor4D;
  let modelDir: string;
  beforeAll(async () => {
    await setup();
    pair = tinyPair();
    modelDir = tempDir('new-model');
    saveClip(pair.next, modelDir, pair.tokenizer);
    const { mean, std } = pair.next.config.vision;
    images = normalizedImages(tinyCorpus(), 6, mean, std);
  });
  afterAll(() => {
    images.dispose();
    pair.old.dispose();
    pair.next.dispose();
  });

  for (const variant of ['taca-symmetric', 'lora', 'sequential']) {
    it(`${variant}: a saved adapter loaded into a fresh backbone reproduces the outputs exactly`, () => {
      const adapter = createAdapter({ variant, bottleneck: 3, scale: 2, blocks: [1], outputProjection: 'always' }, { ...adapterTarget(pair.next.visual, 10) });
      randomizeAdapter(adapter, 11);
      const enc = injectAdapter(pair.next.visual, adapter);
      const want = tf.tidy(() => enc.forward(images));
      const dir = tempDir(`save-${variant}`);
      saveAdapter(adapter, dir);
      enc.dispose();
      adapter.dispose();

      const fresh = loadClip(modelDir).clip;
      const loaded = loadAdapter(dir, fresh.visual);
      expect(loaded.config.variant).toBe(variant);
      const again = injectAdapter(fresh.visual, loaded);
      const got = tf.tidy(() => again.forward(images));
      expect(maxAbsDiff(got.dataSync(), want.dataSync())).toBe(0);
      expect(readAdapterManifest(dir).parameters).toBe(loaded.parameterCount());
      tf.dispose([want, got]);
      again.dispose();
      loaded.dispose();
      fresh.dispose();
    });
  }

  it('names the problem when a saved adapter is missing, corrupt, mismatched or for another encoder', () => {
    expect(() => loadAdapter(tempDir('empty'))).toThrow(/holds no saved adapter: adapter.json is missing/);
    const adapter = createAdapter({ variant: 'parallel', bottleneck: 3 }, adapterTarget(pair.next.visual, 12));
    const dir = tempDir('broken');
    saveAdapter(adapter, dir);
    const other = createClip({ base: 'hotplug-new', vision: { imageSize: 8, patchSize: 2, width: 32, depth: 2, heads: 2 }, embedDim: 12 });
    expect(() => loadAdapter(dir, other.visual)).toThrow(/trained for an encoder of width 24, depth 2, embedding 12; "hotplug-new" has width 32/);
    other.dispose();
    const manifest = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    const count = (config: object) => {
      const a = createAdapter({ ...manifest.config, ...config }, manifest.target);
      const n = a.parameterCount();
      a.dispose();
      return n;
    };
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({ ...manifest, config: { ...manifest.config, bottleneck: 5 } }));
    expect(() => loadAdapter(dir)).toThrow(/parameters is \d+ but a parallel adapter of this config has \d+/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({ ...manifest, config: { ...manifest.config, bottleneck: 5 }, parameters: count({ bottleneck: 5 }) }));
    expect(() => loadAdapter(dir)).toThrow(/does not match its adapter.json:[\s\S]*shape \[24,3\] but the adapter needs \[24,5\]/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({ ...manifest, config: { ...manifest.config, blocks: [0] }, parameters: count({ blocks: [0] }) }));
    expect(() => loadAdapter(dir)).toThrow(/unexpected tensor "adapter.blocks.1.mlp.down.weight"/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(manifest));
    writeFileSync(join(dir, ADAPTER_WEIGHTS_FILE), Buffer.from([1, 2, 3]));
    expect(() => loadAdapter(dir)).toThrow(/not a valid safetensors file: truncated/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), '{ nope');
    expect(() => loadAdapter(dir)).toThrow(/is not valid JSON/);
    adapter.dispose();
  });

  for (const variant of ['taca-symmetric', 'lora', 'projection']) {
    it(`${variant}: the ONNX export matches tfjs under onnxruntime-node`, async () => {
      const adapter = createAdapter({ variant, bottleneck: 4, activation: 'gelu', loraTargets: ['q', 'k', 'v', 'out'] }, adapterTarget(pair.next.visual, 10));
      randomizeAdapter(adapter, 5);
      const enc = injectAdapter(pair.next.visual, adapter);
      const path = join(tempDir(`onnx-${variant}`), 'adapted.onnx');
      exportAdaptedEncoder(enc, path);
      const ort = await loadOnnxImageEncoder(path, { batchSize: 4 });
      expect(ort.embedDim).toBe(10);
      const a = await ort.encode(images);
      const b = await enc.encode(images, { batchSize: 4 });
      const err = maxAbsDiff(a.dataSync(), b.dataSync());
      expect(err).toBeLessThan(1e-4);
      expect(maxAbsDiff(b.dataSync(), new Float32Array(b.size))).toBeGreaterThan(1e-2);
      tf.dispose([a, b]);
      ort.dispose();
      enc.dispose();
      adapter.dispose();
    });
  }
});
