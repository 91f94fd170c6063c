import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdapterBuilder,
  BUILT_IN_ADAPTERS,
  AdapterConfigError,
  AdapterDimensionError,
  adapterNames,
  adapterTarget,
  createAdapter,
  injectAdapter,
  listAdapters,
  registerAdapter,
  resolveAdapterConfig,
  type AdapterFactory,
} from '../src/index';
import { z } from 'zod';
import { maxAbsDiff, normalizedImages, randomizeAdapter, setup, tinyCorpus, tinyPair } from './helpers';
import { REFERENCES, referenceForward } from './reference';

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

  it('registers the six built-in variants, the ones BUILT_IN_ADAPTERS names, first and in that order', () => {
    expect(BUILT_IN_ADAPTERS).toEqual(['taca-symmetric', 'sequential', 'parallel', 'lora', 'projection', 'mlp-projection']);
    expect(adapterNames().slice(0, BUILT_IN_ADAPTERS.length)).toEqual(BUILT_IN_ADAPTERS);
  });

  it('rejects an unknown variant, listing the known ones', () => {
    expect(() => createAdapter({ variant: 'houlsbyy' }, target())).toThrow(
      /unknown adapter variant "houlsbyy"; known variants: taca-symmetric, sequential, parallel, lora, projection/,
    );
  });

  it('rejects bad configs with every problem named, per variant', () => {
    expect(() => createAdapter({ variant: 'lora', bottleneck: 0, scale: NaN, targets: ['fc1' as never] }, target())).toThrow(AdapterConfigError);
    expect(() => createAdapter({ variant: 'lora', bottleneck: 0, scale: NaN, targets: ['fc1' as never] }, target())).toThrow(
      /options for adapter variant "lora":\n {2}- bottleneck: [^\n]*\n {2}- scale: [^\n]*\n {2}- targets\.0: /,
    );
    expect(() => createAdapter({ variant: 'parallel', blocks: [5] }, target())).toThrow(/name block 5, but the encoder has 2 blocks/);
    // A variant's options belong to it: LoRA's targets mean nothing to a bottleneck adapter, projection has none.
    expect(() => createAdapter({ variant: 'parallel', targets: ['q'] }, target())).toThrow(
      /adapter variant "parallel" has no option "targets"; its options are: bottleneck, activation, scale/,
    );
    expect(() => createAdapter({ variant: 'projection', options: { bottleneck: 4 } }, target())).toThrow(
      /"projection" has no option "bottleneck"; its options are: \(none\)/,
    );
  });

  it("fills each variant's own defaults and lists them", () => {
    expect(createAdapter({ variant: 'lora' }, target()).config.options).toEqual({ bottleneck: 16, scale: 1, targets: ['q', 'v'] });
    const info = listAdapters().find((a) => a.name === 'taca-symmetric')!;
    expect(info.defaults).toEqual({ bottleneck: 16, activation: 'relu', scale: 1 });
    expect(info.description).toMatch(/attention and MLP/);
    expect(target()).toMatchObject({ width: 24, depth: 2, heads: 2, mlpWidth: 96 });
  });

  // Every registered variant, each against its own plain-op reference (a variant without one fails here).
  const options: Record<string, Record<string, unknown>> = {
    lora: { bottleneck: 4, scale: 0.5, targets: ['q', 'v', 'out'] },
    projection: {},
    'mlp-projection': { hidden: 7, activation: 'gelu' },
  };
  for (const variant of adapterNames()) {
    it(`${variant}: starts as the plain new model and matches the plain-op reference once trained weights are in`, () => {
      expect(REFERENCES[variant], `test/reference.ts has no reference for "${variant}"`).toBeDefined();
      const adapter = createAdapter(
        { variant, blocks: variant === 'parallel' ? [1] : undefined, options: options[variant] ?? { bottleneck: 4, scale: 0.5 } },
        target(),
      );
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
    expect(() => createAdapter({ variant: 'taca-symmetric', outputProjection: 'never' }, t)).toThrow(
      /embeds into 12 dims but the old model's space has 10.*'auto'/,
    );
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

  it('adds a new variant with one factory, its options and one registration line (the README example)', () => {
    // A gated parallel MLP adapter: out + tanh-gated bottleneck of the MLP input.
    interface GatedOptions {
      bottleneck: number;
      gateInit: number;
    }
    const gated: AdapterFactory<GatedOptions> = (config, t) => {
      const o = config.options;
      const b = new AdapterBuilder(config, t);
      const names = new Map(b.blocks.map((i) => [i, b.bottleneck(`adapter.blocks.${i}.gated`, t.width, t.width, o.bottleneck)]));
      const gate = b.constant('adapter.gate', [1], o.gateInit);
      return b.build({
        sublayer: ({ ops, block, sublayer, normed, output }) => {
          if (sublayer !== 'mlp') return;
          const g = ops.tanh(b.weight(ops, gate));
          return ops.add(output, ops.mul(b.applyBottleneck(ops, normed, names.get(block)!, { activation: 'relu', scale: 1 }), g));
        },
      });
    };
    registerAdapter('gated', gated, {
      defaults: { bottleneck: 8, gateInit: 0 },
      validate: z.strictObject({ bottleneck: z.number().int().positive(), gateInit: z.number().min(-1).max(1) }),
      describe: 'tanh-gated MLP bottleneck',
    });
    expect(() => registerAdapter('gated', gated)).toThrow(/already registered/);
    expect(() => createAdapter({ variant: 'gated', gateInit: 3 }, target())).toThrow(/gateInit: /);
    const a = createAdapter({ variant: 'gated', bottleneck: 3, gateInit: 0.5 }, target());
    expect(a.config.options).toEqual({ bottleneck: 3, gateInit: 0.5 });
    expect(Array.from(a.params.get('adapter.gate')!.dataSync())).toEqual([0.5]);
    expect(a.params.get('adapter.blocks.0.gated.down.weight')!.shape).toEqual([24, 3]);
    const enc = injectAdapter(pair.next.visual, a);
    const out = tf.tidy(() => enc.forward(images));
    expect(out.shape).toEqual([5, 12]);
    tf.dispose(out);
    enc.dispose();
    a.dispose();
  });

  it('AdapterBuilder: constant initialisers, and an allocation bound checked before allocating', () => {
    const b = new AdapterBuilder(resolveAdapterConfig({ variant: 'projection' }), target());
    expect(Array.from(b.params.get(b.ones('o', [3]))!.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(b.params.get(b.constant('c', [2, 2], -0.25))!.dataSync())).toEqual([-0.25, -0.25, -0.25, -0.25]);
    expect(Array.from(b.params.get(b.zeros('z', [2]))!.dataSync())).toEqual([0, 0]);
    expect(() => b.constant('bad', [2], NaN)).toThrow(/constant must be finite/);
    expect(() => b.zeros('neg', [0, 3])).toThrow(/shape of positive integers/);
    for (const v of b.params.values()) v.dispose();
    const before = tf.memory().numTensors;
    expect(() => createAdapter({ variant: 'taca-symmetric', bottleneck: 4 }, target(), { maxParameters: 100 })).toThrow(
      /needs more than the 100 parameters allowed/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
