import { describe, expect, it } from 'vitest';
import { sha256, Rng } from '@hotplug/runtime';
import {
  FASHION_MNIST_SYNONYMS,
  buildCaptionCorpus,
  captionVocabulary,
  classPrompts,
  imageAt,
  loadDataset,
  makeCaption,
  registerZeroShotTemplates,
  zeroShotTemplates,
} from '../src/index';

describe('caption corpus', () => {
  const corpus = buildCaptionCorpus({ seed: 5, maxPerDataset: 3000 });
  const fm = loadDataset('fashion-mnist', 'train');
  const mn = loadDataset('mnist', 'train');
  const sources = [fm, mn];

  it('mixes both datasets from their train splits only', () => {
    expect(corpus.split).toBe('train');
    expect(corpus.sourceNames).toEqual(['fashion-mnist', 'mnist']);
    expect(corpus.size).toBe(6000);
    const perSource = [0, 0];
    corpus.source.forEach((s) => {
      perSource[s]!++;
    });
    expect(perSource).toEqual([3000, 3000]);
    // Mixed: both sources appear within the first 100 pairs.
    expect(new Set(corpus.source.subarray(0, 100)).size).toBe(2);
    for (let i = 0; i < corpus.size; i += 97) {
      const src = sources[corpus.source[i]!]!;
      expect(sha256(corpus.images.subarray(i * 784, (i + 1) * 784))).toBe(sha256(imageAt(src, corpus.sourceIndex[i]!)));
    }
  });

  it('keeps the evaluation (test) split out: no pair comes from an MNIST test image', () => {
    const full = buildCaptionCorpus({ datasets: ['mnist'], seed: 1 });
    const all = loadDataset('mnist', 'all');
    const test = loadDataset('mnist', 'test');
    expect(full.size).toBe(mn.size);
    const testImages = new Set<string>();
    for (let i = 0; i < test.size; i++) testImages.add(sha256(imageAt(test, i)));
    // Guard: MNIST's train and test images are distinct, so any overlap would be a leak.
    let leaks = 0;
    for (let i = 0; i < full.size; i++) if (testImages.has(sha256(full.images.subarray(i * 784, (i + 1) * 784)))) leaks++;
    expect(leaks).toBe(0);
    expect(all.size).toBe(mn.size + test.size);
  });

  it('captions vary: several templates and phrases per class, all naming the class', () => {
    const byClass = new Map<number, Set<string>>();
    for (let i = 0; i < corpus.size; i++) {
      if (corpus.source[i] !== 0) continue;
      const label = fm.labels[corpus.sourceIndex[i]!]!;
      if (!byClass.has(label)) byClass.set(label, new Set());
      byClass.get(label)!.add(corpus.captions[i]!);
      expect(FASHION_MNIST_SYNONYMS[label]!.some((p) => corpus.captions[i]!.includes(p))).toBe(true);
    }
    for (const [, captions] of byClass) expect(captions.size).toBeGreaterThanOrEqual(10);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const again = buildCaptionCorpus({ seed: 5, maxPerDataset: 3000 });
    expect(again.captions).toEqual(corpus.captions);
    expect(Array.from(again.sourceIndex)).toEqual(Array.from(corpus.sourceIndex));
    const other = buildCaptionCorpus({ seed: 6, maxPerDataset: 3000 });
    expect(other.captions).not.toEqual(corpus.captions);
  });

  it('makes k pairs per image with captionsPerImage', () => {
    const c = buildCaptionCorpus({ datasets: ['mnist'], captionsPerImage: 3, maxPerDataset: 50 });
    expect(c.size).toBe(150);
    const perImage = new Map<number, number>();
    c.sourceIndex.forEach((i) => {
      perImage.set(i, (perImage.get(i) ?? 0) + 1);
    });
    expect(new Set(perImage.values())).toEqual(new Set([3]));
  });

  it('fills a template with a phrase (hand-worked)', () => {
    const vocab = { templates: ['a photo of {}.'], synonyms: [['a cat']] };
    expect(makeCaption(vocab, 0, new Rng(0))).toBe('a photo of a cat.');
    expect(() => makeCaption(vocab, 1, new Rng(0))).toThrow(/no phrases for label 1/);
    expect(() => captionVocabulary('cifar')).toThrow(/no caption vocabulary for 'cifar'/);
    expect(() => buildCaptionCorpus({ captionsPerImage: 0 })).toThrow(/captionsPerImage/);
  });
});

describe('zero-shot prompts', () => {
  it('gives several hand-written prompts per class for the embedded datasets', () => {
    const p = classPrompts('fashion-mnist');
    expect(p.classNames[0]).toBe('T-shirt/top');
    expect(p.templates.length).toBeGreaterThanOrEqual(4);
    expect(p.prompts[9]![0]).toBe('a photo of the ankle boot.');
    expect(p.prompts.every((row) => row.length === p.templates.length)).toBe(true);
    expect(classPrompts('mnist').prompts[7]).toContain('a handwritten digit seven.');
  });

  it('uses CoOp templates for CoOp datasets given their class names, and custom ones when registered', () => {
    expect(classPrompts('eurosat', ['Forest']).prompts).toEqual([['a centered satellite photo of Forest.']]);
    expect(() => classPrompts('mystery')).toThrow(/pass its class names/);
    registerZeroShotTemplates('mystery', ['a {} thing.']);
    expect(zeroShotTemplates('mystery')).toEqual(['a {} thing.']);
    expect(() => registerZeroShotTemplates('bad', ['no slot'])).toThrow(/contain '\{\}'/);
  });
});
