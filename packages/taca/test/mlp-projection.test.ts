// mlp-projection: the parameter-matched non-linear sibling of the projection baseline (issue 15's ablation).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterTarget, createAdapter, hybridLoss, injectAdapter, matchedMlpHidden, type AdapterConfigInput, type AdapterTarget } from '../src/index';
import { maxAbsDiff, normalizedImages, randomizeAdapter, setup, tinyCorpus, tinyPair } from './helpers';

const count = (config: AdapterConfigInput, target: AdapterTarget): number => {
  const a = createAdapter(config, target);
  const n = a.parameterCount();
  a.dispose();
  return n;
};

describe('mlp-projection', () => {
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

  // The embedded pair (the shipped taca-symmetric has 31,680 parameters there), the tiny test pair, and a wide
  // pair with fewer adapted blocks and a smaller bottleneck; taca-symmetric is built and counted, not computed.
  const shipped: AdapterTarget = { width: 96, depth: 4, heads: 4, mlpWidth: 384, embedDim: 96, oldEmbedDim: 64 };
  const wide: AdapterTarget = { width: 256, depth: 6, heads: 8, mlpWidth: 1024, embedDim: 128, oldEmbedDim: 512 };
  const cases: Array<[string, () => AdapterTarget, Omit<AdapterConfigInput, 'variant'>]> = [
    ['the embedded pair, outputProjection always (the apps)', () => shipped, { outputProjection: 'always' }],
    ['the tiny pair, auto (no output projection)', () => adapterTarget(pair.next.visual, 12), {}],
    ['a wide pair, blocks [2, 3], bottleneck 8', () => wide, { blocks: [2, 3], bottleneck: 8 }],
  ];
  for (const [label, target, shared] of cases)
    it(`matches taca-symmetric's parameter count within 1%: ${label}`, () => {
      const taca = count({ variant: 'taca-symmetric', ...shared }, target());
      const mlp = count({ variant: 'mlp-projection', ...shared }, target());
      expect(Math.abs(mlp - taca) / taca).toBeLessThan(0.01);
    });

  it('counts the shipped pair by hand: hidden 158, 31,710 parameters against 31,680', () => {
    expect(count({ variant: 'taca-symmetric', outputProjection: 'always' }, shipped)).toBe(31680);
    expect(matchedMlpHidden(shipped, 16, 4)).toBe(158);
    // output projection 96·64 + 64, fc1 96·158 + 158, fc2 158·64 + 64.
    expect(count({ variant: 'mlp-projection', outputProjection: 'always' }, shipped)).toBe(96 * 64 + 64 + 96 * 158 + 158 + 158 * 64 + 64);
  });

  it('takes an explicit hidden width, and refuses a bad one', () => {
    const a = createAdapter({ variant: 'mlp-projection', hidden: 10 }, adapterTarget(pair.next.visual, 12));
    expect(a.params.get('adapter.mlp_proj.fc1.weight')!.shape).toEqual([12, 10]);
    expect(a.params.get('adapter.mlp_proj.fc2.weight')!.shape).toEqual([10, 12]);
    expect(a.parameterCount()).toBe(12 * 10 + 10 + 10 * 12 + 12);
    expect(a.hooks).toBeUndefined(); // the blocks stay the new model's
    a.dispose();
    expect(() => createAdapter({ variant: 'mlp-projection', hidden: 0 }, adapterTarget(pair.next.visual, 12))).toThrow(/"mlp-projection":\n {2}- hidden: /);
    expect(() => createAdapter({ variant: 'mlp-projection', hidden: 'auto' }, adapterTarget(pair.next.visual, 12))).toThrow(/hidden: /);
    expect(() => createAdapter({ variant: 'mlp-projection', scale: 2 }, adapterTarget(pair.next.visual, 12))).toThrow(
      /has no option "scale"; its options are: hidden, bottleneck, activation/,
    );
  });

  it('starts as the projection baseline when the dimensions differ (P(e), fc2 zero) and reaches the old dimension', () => {
    const a = createAdapter({ variant: 'mlp-projection', outputProjection: 'always' }, adapterTarget(pair.next.visual, 10));
    const enc = injectAdapter(pair.next.visual, a);
    const got = tf.tidy(() => enc.forward(images));
    const want = tf.tidy(() =>
      tf.add(tf.matMul(pair.next.visual.forward(images).embedding, a.params.get('adapter.output_proj.weight')!), a.params.get('adapter.output_proj.bias')!),
    );
    expect(got.shape).toEqual([5, 10]);
    expect(maxAbsDiff(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    tf.dispose([got, want]);
    enc.dispose();
    a.dispose();
  });

  it("fc1's gradient matches finite differences once fc2 is non-zero", () => {
    const a = createAdapter({ variant: 'mlp-projection', hidden: 5, activation: 'gelu' }, adapterTarget(pair.next.visual, 12));
    randomizeAdapter(a, 4, 0.3);
    const enc = injectAdapter(pair.next.visual, a);
    const oldImage = tf.tidy(() => tf.randomNormal([5, 12], 0, 1, 'float32', 9)) as tf.Tensor2D;
    const lossOf = () => hybridLoss({ adapted: enc.forward(images), oldImage }, { distill: 1, distillKind: 'l2', contrastive: 0, influence: 0 }).loss;
    const fc1 = a.params.get('adapter.mlp_proj.fc1.weight')!;
    const { grads, value } = tf.variableGrads(lossOf, [fc1]);
    const g = grads[fc1.name]!.dataSync();
    const base = fc1.dataSync().slice();
    for (const i of [0, 7, 33, 59]) {
      const eps = 1e-2;
      const at = (d: number) => {
        const v = base.slice();
        v[i]! += d;
        const t = tf.tensor(v, fc1.shape);
        fc1.assign(t);
        t.dispose();
        return tf.tidy(() => lossOf().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - g[i]!)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
    }
    tf.dispose([oldImage, value, Object.values(grads)]);
    enc.dispose();
    a.dispose();
  });
});
