import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createClip, loadClip, loadOnnxImageEncoder, saveClip } from '@hotplug/backbones';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adapterTarget,
  createAdapter,
  exportAdaptedEncoder,
  injectAdapter,
  loadAdapter,
  readAdapterManifest,
  saveAdapter,
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
} from '../src/index';
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

  const saved: Record<string, Record<string, unknown>> = {
    'taca-symmetric': { bottleneck: 3, scale: 2 },
    lora: { bottleneck: 3, scale: 2 },
    sequential: { bottleneck: 3, scale: 2 },
    'mlp-projection': { bottleneck: 3, activation: 'quickgelu' }, // hidden 'matched': recomputed from the saved target on load
  };
  for (const [variant, options] of Object.entries(saved)) {
    it(`${variant}: a saved adapter loaded into a fresh backbone reproduces the outputs exactly`, () => {
      const adapter = createAdapter({ variant, ...options, blocks: [1], outputProjection: 'always' }, { ...adapterTarget(pair.next.visual, 10) });
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

  it('reads version-1 manifests (one flat config for every variant, no block shape), given the encoder', () => {
    const adapter = createAdapter({ variant: 'lora', bottleneck: 2, targets: ['q', 'out'] }, adapterTarget(pair.next.visual, 12));
    randomizeAdapter(adapter, 3);
    const dir = tempDir('v1');
    saveAdapter(adapter, dir);
    const v2 = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    const { heads: _h, mlpWidth: _m, ...oldTarget } = v2.target;
    // What apps/taca wrote before per-variant options (the adapters shipped in @hotplug/models look like this).
    const v1 = {
      ...v2,
      version: 1,
      target: oldTarget,
      config: { variant: 'lora', bottleneck: 2, scale: 1, activation: 'relu', loraTargets: ['q', 'out'], outputProjection: 'auto', seed: 0 },
    };
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(v1));
    const loaded = loadAdapter(dir, pair.next.visual);
    expect(loaded.config.options).toEqual({ bottleneck: 2, scale: 1, targets: ['q', 'out'] });
    for (const [name, v] of adapter.params) expect(Array.from(loaded.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    expect(() => loadAdapter(dir)).toThrow(/saved before adapters recorded their block shape \(version 1\); load it with its encoder/);
    loaded.dispose();
    adapter.dispose();
  });

  it('names the problem when a saved adapter is missing, corrupt, mismatched or for another encoder', () => {
    expect(() => loadAdapter(tempDir('empty'))).toThrow(/holds no saved adapter: adapter.json is missing/);
    const adapter = createAdapter({ variant: 'parallel', bottleneck: 3 }, adapterTarget(pair.next.visual, 12));
    const dir = tempDir('broken');
    saveAdapter(adapter, dir);
    const other = createClip({ base: 'hotplug-new', vision: { imageSize: 8, patchSize: 2, width: 32, depth: 2, heads: 2 }, embedDim: 12 });
    expect(() => loadAdapter(dir, other.visual)).toThrow(
      /trained for an encoder of width 24, depth 2, embedding 12, 2 heads, MLP width 96; "hotplug-new" has width 32/,
    );
    other.dispose();
    const manifest = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    const count = (config: object) => {
      const a = createAdapter({ ...manifest.config, ...config }, manifest.target);
      const n = a.parameterCount();
      a.dispose();
      return n;
    };
    writeFileSync(
      join(dir, ADAPTER_CONFIG_FILE),
      JSON.stringify({ ...manifest, config: { ...manifest.config, options: { ...manifest.config.options, bottleneck: 5 } } }),
    );
    expect(() => loadAdapter(dir)).toThrow(/this parallel config needs more than the \d+ parameters allowed/);
    writeFileSync(
      join(dir, ADAPTER_CONFIG_FILE),
      JSON.stringify({
        ...manifest,
        config: { ...manifest.config, options: { ...manifest.config.options, bottleneck: 5 } },
        parameters: count({ bottleneck: 5 }),
      }),
    );
    expect(() => loadAdapter(dir)).toThrow(/does not match its adapter.json:[\s\S]*shape \[24,3\] but the adapter needs \[24,5\]/);
    writeFileSync(
      join(dir, ADAPTER_CONFIG_FILE),
      JSON.stringify({ ...manifest, config: { ...manifest.config, blocks: [0] }, parameters: count({ blocks: [0] }) }),
    );
    expect(() => loadAdapter(dir)).toThrow(/unexpected tensor "adapter.blocks.1.mlp.down.weight"/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(manifest));
    writeFileSync(join(dir, ADAPTER_WEIGHTS_FILE), Buffer.from([1, 2, 3]));
    expect(() => loadAdapter(dir)).toThrow(/adapter.safetensors has 3 bytes, but adapter.json declares \d+ parameters/);
    writeFileSync(join(dir, ADAPTER_WEIGHTS_FILE), Buffer.alloc(manifest.parameters * 4, 7)); // big enough, but not safetensors
    expect(() => loadAdapter(dir)).toThrow(/not a valid safetensors file/);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), '{ nope');
    expect(() => loadAdapter(dir)).toThrow(/is not valid JSON/);
    adapter.dispose();
  });

  for (const variant of ['taca-symmetric', 'lora', 'projection', 'mlp-projection']) {
    it(`${variant}: the ONNX export matches tfjs under onnxruntime-node`, async () => {
      const options = {
        'taca-symmetric': { bottleneck: 4, activation: 'gelu' },
        lora: { bottleneck: 4, targets: ['q', 'k', 'v', 'out'] },
        projection: {},
        'mlp-projection': { hidden: 9, activation: 'gelu' },
      }[variant];
      const adapter = createAdapter({ variant, options }, adapterTarget(pair.next.visual, 10));
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
