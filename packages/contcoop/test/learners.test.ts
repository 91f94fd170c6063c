import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { createLearner, listLearners, PromptTarget, type PromptLearner, type PromptModel } from '../src/index';
import { FASHION, tinyModel } from './helpers';

let target: PromptTarget;
let model: PromptModel;

beforeAll(async () => {
  await initBackend();
  model = tinyModel(1);
  target = new PromptTarget(model, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
});
afterAll(() => {
  target.dispose();
  model.clip.dispose();
});

const KINDS = ['zeroshot', 'coop', 'cocoop', 'kgcoop', 'contcoop'];

function images(n: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([n, target.embedDim], 0, 1, 'float32', seed) as tf.Tensor2D;
}

describe('registry', () => {
  it('registers the five learners', () => {
    expect(listLearners().map((l) => l.kind)).toEqual(KINDS);
  });

  it('rejects unknown kinds and options by name', () => {
    expect(() => createLearner('prompty', target)).toThrow(/unknown prompt learner "prompty"; registered: zeroshot, coop/);
    expect(() => createLearner('coop', target, { options: { nCtxx: 3 } })).toThrow(/no option "nCtxx"/);
  });
});

describe.each(KINDS)('%s', (kind) => {
  it('scores every class for every image, deterministically per seed, without leaking tensors', () => {
    const a = createLearner(kind, target, { seed: 3 });
    const b = createLearner(kind, target, { seed: 3 });
    const x = images(5, 1);
    a.logits(target, x).dispose(); // the target caches its fixed token rows / zero-shot features once
    const before = tf.memory().numTensors;
    const la = a.logits(target, x);
    expect(la.shape).toEqual([5, 10]);
    expect(Array.from(la.dataSync()).every(Number.isFinite)).toBe(true);
    const lb = b.logits(target, x);
    expect(Array.from(lb.dataSync())).toEqual(Array.from(la.dataSync()));
    la.dispose();
    lb.dispose();
    const labels = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
    const out = tf.tidy(() => a.loss(target, x, labels).loss);
    expect(Number.isFinite(out.dataSync()[0]!)).toBe(true);
    out.dispose();
    labels.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const l of [a, b] as PromptLearner[]) l.dispose();
    x.dispose();
  });
});

describe('registry shape', () => {
  it('registers a learner with its defaults, validator and description; duplicates and bad options are refused by name', async () => {
    const { registerLearner, LearnerOptionError } = await import('../src/index');
    const { ZeroshotLearner } = await import('../src/learners/zeroshot');
    registerLearner('templates-plus', (_o, init) => new ZeroshotLearner({}, init), {
      defaults: { temperature: 1 },
      validate: (o) => ((o.temperature as number) > 0 ? [] : [`temperature must be > 0, got ${o.temperature}`]),
      describe: 'hand-written templates with a temperature',
    });
    expect(listLearners().find((l) => l.kind === 'templates-plus')).toEqual({
      kind: 'templates-plus',
      description: 'hand-written templates with a temperature',
      defaults: { temperature: 1 },
    });
    expect(() => registerLearner('templates-plus', (_o, init) => new ZeroshotLearner({}, init), { defaults: {} })).toThrow(/already registered/);
    expect(() => createLearner('templates-plus', target, { options: { temperature: 0 } })).toThrow(LearnerOptionError);
    expect(() => createLearner('templates-plus', target, { options: { temperature: 0 } })).toThrow(
      /invalid options for prompt learner "templates-plus":\n {2}- temperature must be > 0, got 0/,
    );
    createLearner('templates-plus', target, { options: { temperature: 2 } }).dispose();
    // One registry per process: it lives on a global symbol, where a second copy of the package would look.
    const shared = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('hotplug.contcoop.learners')]!;
    expect([...shared.keys()]).toEqual([...KINDS, 'templates-plus']);
  });
});
