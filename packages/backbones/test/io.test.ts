import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildTokenizer, configForTokenizer, createClip, getConfig, loadClip, loadWeights, saveClip, SafetensorsReader } from '../src/index';
import { maxAbsDiff, randomImages, setupBackend, tempDir } from './helpers';

const captions = ['a photo of a t-shirt', 'a photo of a trouser', 'a photo of a pullover', 'a photo of a bag', 'a photo of an ankle boot'];

describe('model folders (model.safetensors + config.json + tokenizer.json)', () => {
  beforeAll(setupBackend);

  it('saves and loads a whole model with its tokenizer; outputs are identical', async () => {
    const tokenizer = buildTokenizer(captions, { contextLength: 16, vocabSize: 560 });
    const config = configForTokenizer(getConfig('hotplug-old'), tokenizer);
    expect(config.text.vocabSize).toBe(tokenizer.vocabSize);
    expect(config.text.eotTokenId).toBe(tokenizer.eotTokenId);
    const clip = createClip(config, { seed: 42 });
    const dir = tempDir('folder');
    saveClip(clip, dir, tokenizer);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    const reader = SafetensorsReader.open(join(dir, 'model.safetensors'));
    expect(reader.names).toEqual([...clip.namedWeights().keys()]);
    expect(reader.metadata).toEqual({ format: 'hotplug', model: 'hotplug-old' });
    reader.close();

    const loaded = loadClip(dir);
    expect(loaded.clip.config).toEqual(config);
    expect(loaded.tokenizer).toBeDefined();
    const ids = loaded.tokenizer!.encodeBatch(['a photo of a bag', 'a pullover']);
    const images = randomImages(config, 3);
    const [a, b, c, d] = await Promise.all([
      clip.visual.encode(images),
      loaded.clip.visual.encode(images),
      clip.text.encode(ids),
      loaded.clip.text.encode(ids),
    ]);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    expect(maxAbsDiff(c.dataSync(), d.dataSync())).toBe(0);
    for (const [name, v] of clip.namedWeights()) expect(maxAbsDiff(v.dataSync(), loaded.clip.namedWeights().get(name)!.dataSync()), name).toBe(0);
    tf.dispose([images, ids, a, b, c, d]);
    clip.dispose();
    loaded.clip.dispose();
  });

  it('folder without a tokenizer loads with tokenizer undefined; a random model differs from a loaded one', () => {
    const clip = createClip('hotplug-new', { seed: 1 });
    const dir = tempDir('folder-notok');
    saveClip(clip, dir);
    const other = createClip('hotplug-new', { seed: 2 });
    loadWeights(other, join(dir, 'model.safetensors'));
    expect(maxAbsDiff(other.logitScale.dataSync(), clip.logitScale.dataSync())).toBe(0);
    expect(
      maxAbsDiff(other.namedWeights().get('visual.blocks.3.attn.q.weight')!.dataSync(), clip.namedWeights().get('visual.blocks.3.attn.q.weight')!.dataSync()),
    ).toBe(0);
    const { clip: loaded, tokenizer } = loadClip(dir);
    expect(tokenizer).toBeUndefined();
    loaded.dispose();
    other.dispose();
    clip.dispose();
  });

  it('explains what is wrong with a bad folder', () => {
    const clip = createClip('hotplug-old');
    const dir = tempDir('folder-bad');
    expect(() => loadClip(dir)).toThrow(
      /is not a model folder of any kind loadClip reads:[\s\S]*hotplug folder \(saveClip\)[^\n]*missing: config.json is missing; model.safetensors is missing/,
    );
    saveClip(clip, dir);
    const model = readFileSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), model.subarray(0, model.length - 100));
    expect(() => loadClip(dir)).toThrow(/not a valid safetensors file: truncated: tensor "[^"]+" ends at byte/);
    rmSync(join(dir, 'model.safetensors'));
    expect(() => loadClip(dir)).toThrow(/hotplug folder \(saveClip\)[^\n]*found config.json; missing: model.safetensors is missing/);
    saveClip(clip, dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...clip.config, vision: { ...clip.config.vision, heads: 5 } }));
    expect(() => loadClip(dir)).toThrow(/config.json: invalid model config "hotplug-old":\n {2}- vision.width 64 is not divisible by vision.heads 5/);
    const tokenizer = buildTokenizer(captions, { contextLength: 16 });
    expect(() => saveClip(clip, tempDir('folder-mismatch'), buildTokenizer(captions, { contextLength: 8 }))).toThrow(
      /tokenizer context 8 != text.contextLength 16.*configForTokenizer/,
    );
    expect(() => saveClip(createClip({ base: 'hotplug-old', text: { vocabSize: 100, eotTokenId: 2 } }), tempDir('folder-mismatch2'), tokenizer)).toThrow(
      /tokenizer vocabulary \d+ > text.vocabSize 100/,
    );
    clip.dispose();
  });
});
