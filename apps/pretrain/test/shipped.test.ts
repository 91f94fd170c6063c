import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { accuracy, imageFeatures, zeroShotClassifier, zeroShotPredict } from '@hotplug/bench';
import { classPrompts, loadDataset, subset } from '@hotplug/data';
import { EMBEDDED_MODELS, embeddedModelCard, loadEmbeddedModel } from '@hotplug/models';
import type { ModelCard } from '../src/card';

// The committed weights must reproduce what the model card says they do.
describe('the shipped embedded pair', () => {
  let card: ModelCard;
  beforeAll(async () => {
    await initBackend();
    card = embeddedModelCard() as unknown as ModelCard;
  });

  it('has a model card with figures for both datasets and both models, and the upgrade is real', () => {
    expect(card.figures.map((f) => f.dataset).sort()).toEqual(['fashion-mnist', 'mnist']);
    for (const f of card.figures) {
      expect(f.zeroShot.new!).toBeGreaterThan(f.zeroShot.old!);
      expect(f.linearProbe.new!).toBeGreaterThan(f.linearProbe.old!);
    }
  });

  it.each(EMBEDDED_MODELS.map((m) => [m]))('%s reproduces the card\'s zero-shot accuracy on the fixed test subset', async (name) => {
    const model = loadEmbeddedModel(name);
    try {
      for (const f of card.figures) {
        const test = loadDataset(f.dataset, 'test');
        const first = subset(test, Int32Array.from({ length: f.subsetSize }, (_, i) => i));
        const feats = await imageFeatures({ id: name, clip: model.clip }, first);
        const pred = zeroShotPredict(feats, zeroShotClassifier({ id: name, ...model }, classPrompts(f.dataset).prompts));
        // One image either way allows for float rounding differences between backends.
        expect(Math.abs(accuracy(pred, first.labels) - f.zeroShotSubset[name]!)).toBeLessThanOrEqual(1 / f.subsetSize + 1e-9);
      }
    } finally {
      model.clip.dispose();
    }
  });
});
