import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdapterBuilder, AdapterDimensionError, adapterNames, adapterTarget, createAdapter, injectAdapter, registerAdapter,
  type AdapterFactory,
} from '../src/index';
import { maxAbsDiff, normalizedImages, randomizeAdapter, setup, tinyCorpus, tinyPair } from './helpers';
import { referenceForward } from './reference';

describe('adapter variants', () => {
  let pair: ReturnType<typeof tinyPair>;
  let images: tf.Tensor4D;
  beforeAll(async () => {
    await setup();
    pair = tinyPair();
    const { mean, std } = pair.next.config.vision;
    images = normalizedImages(tinyCorpus(), 5, mean, std);
  });
  afterAll(() => {
    images.dispose();
    pair.old.dispose();
    pair.next.dispose();
  });

  const target = () => adapterTarget(pair.next.visual, pair.old.config.embedDim);

  it('registers the five built-in variants', () => {
    expect(adapterNames()).toEqual(expect.arrayContaining(['taca-symmetric', 'sequential', 'parallel', 'lora', 'projection']));
  });

  it('rejects an unknown variant, listing the known ones', () => {
    expect(() => createAdapter({ variant: 'houlsbyy' }, target())).toThrow(/unknown adapter variant "houlsbyy"; known variants: taca-symmetric, sequential, parallel, lora, projection/);
  });

  it('rejects bad configs with every problem named', () => {
    expect(() => createAdapter({ variant: 'lora', bottleneck: 0, scale: NaN, loraTargets: ['fc1' as never] }, target())).toThrow(/bottleneck must be a positive integer[\s\S]*scale must be a finite[\s\S]*loraTargets/);
    expect(() => createAdapter({ variant: 'parallel', blocks: [5] }, target())).toThrow(/name block 5, but the encoder has 2 blocks/);
  });

  for (const variant of ['taca-symmetric', 'sequential', 'parallel', 'lora', 'projection']) {
    it(`${variant}: starts as the plain new model and matches the plain-op reference once trained weights are in`, () => {
      const adapter = createAdapter({ variant, bottleneck: 4, scale: 0.5, blocks: variant === 'parallel' ? [1] : undefined, loraTargets: ['q', 'v', 'out'] }, target());
      const encoder = injectAdapter(pair.next.visual, adapter);
      const plain = tf.tidy(() => referenceForward(pair.next, null, images));
      const initial = tf.tidy(() => encoder.forward(images));
      // Zero up-projections (and an identity output projection): exactly the new model.
      expect(maxAbsDiff(initial.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
      randomizeAdapter(adapter);
      const adapted = tf.tidy(() => encoder.forward(images));
      const reference = tf.tidy(() => referenceForward(pair.next, adapter, images));
      expect(maxAbsDiff(adapted.dataSync(), reference.dataSync())).toBeLessThan(1e-4);
      expect(maxAbsDiff(adapted.dataSync(), plain.dataSync())).toBeGreaterThan(1e-2); // the adapter does something
      encoder.dispose();
      // Removing the hooks gives back the plain model.
      const after = tf.tidy(() => pair.next.visual.forward(images).embedding);
      expect(maxAbsDiff(after.dataSync(), plain.dataSync())).toBeLessThan(1e-5);
      tf.dispose([plain, initial, adapted, reference, after]);
      adapter.dispose();
    });
  }

  it('frees every tensor it created on dispose', () => {
    const before = tf.memory().numTensors;
    for (const variant of adapterNames()) createAdapter({ variant, outputProjection: 'always' }, target()).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts only the adapter parameters it created', () => {
    const a = createAdapter({ variant: 'taca-symmetric', bottleneck: 4 }, target());
    // 2 blocks x 2 sites x (24*4 + 4 + 4*24 + 24); no output projection (12 -> 12, auto).
    expect(a.parameterCount()).toBe(2 * 2 * (24 * 4 + 4 + 4 * 24 + 24));
    expect(a.hasOutputProjection).toBe(false);
    a.dispose();
  });

  it('adds an output projection when the embedding dimensions differ, and refuses with outputProjection never', () => {
    const t = { ...target(), oldEmbedDim: 10 };
    expect(() => createAdapter({ variant: 'taca-symmetric', outputProjection: 'never' }, t)).toThrow(AdapterDimensionError);
    expect(() => createAdapter({ variant: 'taca-symmetric', outputProjection: 'never' }, t)).toThrow(/embeds into 12 dims but the old model's space has 10.*'auto'/);
    const a = createAdapter({ variant: 'taca-symmetric' }, t);
    expect(a.hasOutputProjection).toBe(true);
    const enc = injectAdapter(pair.next.visual, a);
    const out = tf.tidy(() => enc.forward(images));
    expect(out.shape).toEqual([5, 10]);
    expect(enc.embedDim).toBe(10);
    out.dispose();
    enc.dispose();
    a.dispose();
  });

  it('refuses an adapter built for another encoder', () => {
    const a = createAdapter({ variant: 'lora' }, { ...target(), width: 32 });
    expect(() => injectAdapter(pair.next.visual, a)).toThrow(/built for an encoder of width 32.*has width 24/);
    a.dispose();
  });

  it('adds a new variant with one factory and one registration line (the README example)', () => {
    // A gated parallel MLP adapter: out + tanh-gated bottleneck of the MLP input.
    const gated: AdapterFactory = (config, t) => {
      const b = new AdapterBuilder(config, t);
      const names = new Map(b.blocks.map((i) => [i, b.bottleneck(`adapter.blocks.${i}.gated`, t.width)]));
      const gate = b.zeros('adapter.gate', [1]);
      return b.build({
        sublayer: ({ ops, block, sublayer, normed, output }) => {
          if (sublayer !== 'mlp') return;
          const g = ops.tanh(ops.weight(gate, b.params.get(gate)!));
          return ops.add(output, ops.mul(b.applyBottleneck(ops, normed, names.get(block)!), g));
        },
      });
    };
    registerAdapter('gated', gated);
    const a = createAdapter({ variant: 'gated', bottleneck: 3 }, target());
    expect(a.params.has('adapter.gate')).toBe(true);
    const enc = injectAdapter(pair.next.visual, a);
    const out = tf.tidy(() => enc.forward(images));
    expect(out.shape).toEqual([5, 12]);
    tf.dispose(out);
    enc.dispose();
    a.dispose();
  });
});
