import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { EMBEDDED_MODELS, embeddedAdaptersRoot, embeddedModelDir, embeddedWeightsRoot, loadEmbeddedModel } from '../src/index';

beforeAll(async () => {
  await initBackend();
});

describe('@hotplug/models', () => {
  it('finds its folders from the package root', () => {
    expect(embeddedModelDir('old')).toBe(join(embeddedWeightsRoot(), 'old'));
    expect(embeddedAdaptersRoot().endsWith(join('models', 'adapters'))).toBe(true);
  });

  it.each(EMBEDDED_MODELS.filter((m) => existsSync(join(embeddedModelDir(m), 'config.json'))).map((m) => [m]))(
    'loads the shipped %s model with a tokenizer that fits its text encoder',
    (name) => {
      const { clip, tokenizer } = loadEmbeddedModel(name);
      expect(clip.config.name).toBe(`hotplug-${name}`);
      expect(tokenizer.vocabSize).toBe(clip.config.text.vocabSize);
      expect(tokenizer.contextLength).toBe(clip.config.text.contextLength);
      // Pair A changes the embedding width (as ViT-B/32 -> L/14 does); pair B keeps old's.
      expect(clip.config.embedDim).toBe(name === 'new' ? 96 : 64);
      expect([clip.config.vision.imageSize, clip.config.vision.channels]).toEqual([32, 3]);
      clip.dispose();
    },
  );

  it('names the embedded models when asked for another', () => {
    expect(() => embeddedModelDir('newer' as never)).toThrow(/unknown embedded model "newer"; the embedded models are old, new, new-lineage/);
  });
});
