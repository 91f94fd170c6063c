import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { EMBEDDED_MODELS, embeddedModelCard, embeddedModelCardPath, loadEmbeddedModel } from '@hotplug/models';
import { modelCardMarkdown, type ModelCard } from '../src/card';
import { EMBEDDED_FORMAT } from '../src/corpus';
import { taskQuality } from '../src/quality';

// The committed weights must reproduce what the model card says they do.
describe('the shipped embedded models', () => {
  let card: ModelCard;
  beforeAll(async () => {
    await initBackend();
    card = embeddedModelCard() as unknown as ModelCard;
  });

  it('has a card covering every model and every registered task, and MODEL_CARD.md is its rendering', () => {
    expect(card.training.map((t) => t.name)).toEqual([...EMBEDDED_MODELS]);
    expect(card.tasks.length).toBeGreaterThanOrEqual(8);
    for (const t of card.tasks) for (const m of EMBEDDED_MODELS) expect(t.zeroShot[m], `${t.task} ${m}`).toBeTypeOf('number');
    const md = readFileSync(embeddedModelCardPath().replace(/card\.json$/, 'MODEL_CARD.md'), 'utf8');
    expect(md).toBe(modelCardMarkdown(card));
    // Each shipped model stays under the 20 MB budget.
    for (const t of card.training) expect(t.bytes!).toBeLessThan(20e6);
  });

  it("reproduces the card's MNIST and colour figures from the shipped weights", async () => {
    const models = EMBEDDED_MODELS.map((id) => ({ id, ...loadEmbeddedModel(id) }));
    try {
      const figures = await taskQuality(models, 'old', EMBEDDED_FORMAT, { tasks: ['mnist', 'scene-colour'] });
      for (const f of figures) {
        const want = card.tasks.find((t) => t.task === f.task)!;
        for (const m of EMBEDDED_MODELS) {
          // Same weights, same items, same seeded probe: only float summation order may differ.
          expect(f.zeroShot[m]!, `${f.task} zero-shot ${m}`).toBeCloseTo(want.zeroShot[m]!, 2);
          expect(f.linearProbe![m]!, `${f.task} probe ${m}`).toBeCloseTo(want.linearProbe![m]!, 1);
        }
        expect(f.rawPixels!).toBeCloseTo(want.rawPixels!, 1);
        expect(f.naive.new!.zeroShot).toBeCloseTo(want.naive.new!.zeroShot, 2);
      }
    } finally {
      for (const m of models) m.clip.dispose();
    }
  }, 240_000);
});
