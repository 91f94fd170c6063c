import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { writeSafetensors } from '@hotplug/backbones';
import { createLearner, loadLearner, PromptTarget, saveLearner, type PromptModel } from '../src/index';
import { FASHION, MNIST, tinyModel } from './helpers';

const KINDS = ['zeroshot', 'coop', 'cocoop', 'kgcoop', 'contcoop'];
const dir = mkdtempSync(join(tmpdir(), 'contcoop-state-'));
let a: PromptModel; // training model
let b: PromptModel; // another model, same token width (deeper text encoder, other weights)
let wide: PromptModel; // token width 48
let otherDim: PromptModel; // same token width, 24-dim embeddings
let targetA: PromptTarget;
let targetB: PromptTarget;
let images: tf.Tensor2D;

beforeAll(async () => {
  await initBackend();
  a = tinyModel(10);
  b = tinyModel(20, { textDepth: 2, visionWidth: 48 });
  wide = tinyModel(30, { tokenWidth: 48 });
  otherDim = tinyModel(40, { embedDim: 24 });
  targetA = new PromptTarget(a, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  targetB = new PromptTarget(b, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  images = tf.keep(tf.randomNormal([4, 16], 0, 1, 'float32', 3) as tf.Tensor2D);
});
afterAll(() => {
  images.dispose();
  for (const t of [targetA, targetB]) t.dispose();
  for (const m of [a, b, wide, otherDim]) m.clip.dispose();
});

/** Moves every parameter away from its initial value, so a load that silently re-initialises would be caught. */
function perturb(learner: ReturnType<typeof createLearner>): void {
  let k = 0;
  for (const v of learner.parameters().values()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', 100 + k++))));
}

describe.each(KINDS)('%s state', (kind) => {
  it('saved and loaded reproduces the logits exactly, on the training model and on another one', () => {
    const learner = createLearner(kind, targetA, { seed: 9 });
    perturb(learner);
    const path = join(dir, `${kind}.safetensors`);
    saveLearner(learner, path);
    const loaded = loadLearner(path);
    expect(loaded.kind).toBe(kind);
    expect(loaded.config).toEqual(learner.config);
    for (const t of [targetA, targetB]) {
      const before = learner.logits(t, images);
      const after = loaded.logits(t, images);
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
      tf.dispose([before, after]);
    }
    // Plugged into B, learned prompts give B's own class features (not A's).
    if (kind !== 'zeroshot' && kind !== 'cocoop') {
      const onA = learner.classFeatures(targetA);
      const onB = learner.classFeatures(targetB);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(onA, onB))).dataSync()[0]!)).toBeGreaterThan(1e-3);
      tf.dispose([onA, onB]);
    }
    learner.dispose();
    loaded.dispose();
  });

  it('stores only the learned parameters (no class-name embeddings)', () => {
    const learner = createLearner(kind, targetA, { seed: 9 });
    const path = join(dir, `${kind}-only.safetensors`);
    saveLearner(learner, path);
    const header = JSON.parse(
      readFileSync(path)
        .subarray(8, 8 + Number(readFileSync(path).readBigUInt64LE(0)))
        .toString('utf8'),
    );
    const names = Object.keys(header)
      .filter((n) => n !== '__metadata__')
      .sort();
    expect(names).toEqual([...learner.parameters().keys()].sort());
    learner.dispose();
  });
});

describe('transfer errors', () => {
  it.each(['coop', 'cocoop', 'kgcoop', 'contcoop'])('%s: a model with another token width fails, naming both widths', (kind) => {
    const learner = createLearner(kind, targetA);
    const target = new PromptTarget(wide, FASHION.classNames);
    expect(() => learner.logits(target, images)).toThrow(
      /learned for token-embedding width 32, but model "tiny-30-w48" has width 48; a learned prompt can only be plugged into a model with the same token-embedding width/,
    );
    target.dispose();
    learner.dispose();
  });

  it('zeroshot has nothing learned, so any model works', () => {
    const learner = createLearner('zeroshot', targetA);
    const target = new PromptTarget(wide, FASHION.classNames);
    const out = learner.logits(target, images);
    expect(out.shape).toEqual([4, 10]);
    tf.dispose(out);
    target.dispose();
    learner.dispose();
  });

  it('cocoop on a model with another embedding dimension fails clearly', () => {
    const learner = createLearner('cocoop', targetA);
    const target = new PromptTarget(otherDim, FASHION.classNames);
    const x = tf.zeros([2, 24]) as tf.Tensor2D;
    expect(() => learner.logits(target, x)).toThrow(/reads 16-dim image features, but model "tiny-40-w32" embeds into 24 dims/);
    tf.dispose(x);
    target.dispose();
    learner.dispose();
  });

  it('class-specific context refuses a task with another number of classes; shared context moves to new class names', () => {
    const csc = createLearner('coop', targetA, { options: { classSpecific: true } });
    const shared = createLearner('coop', targetA);
    const digits = new PromptTarget(a, MNIST.classNames.slice(0, 5));
    const x = images;
    expect(() => csc.logits(digits, x)).toThrow(/class-specific context for 10 classes, but the target has 5/);
    const out = shared.logits(digits, x);
    expect(out.shape).toEqual([4, 5]);
    tf.dispose(out);
    digits.dispose();
    csc.dispose();
    shared.dispose();
  });

  it('image features of the wrong size are rejected with the expected shape', () => {
    const learner = createLearner('coop', targetA);
    const x = tf.zeros([2, 12]) as tf.Tensor2D;
    expect(() => learner.logits(targetA, x)).toThrow(/image features must be \[batch, 16\] from model "tiny-10-w32", got \[2, 12\]/);
    tf.dispose(x);
    learner.dispose();
  });
});

describe('loadLearner errors', () => {
  it('names a truncated file, a file of another format and a tensor that does not fit', () => {
    const learner = createLearner('coop', targetA);
    const path = join(dir, 'good.safetensors');
    saveLearner(learner, path);
    const bytes = readFileSync(path);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
    expect(() => loadLearner(truncated)).toThrow(/not a valid safetensors file: truncated/);
    const foreign = join(dir, 'foreign.safetensors');
    writeSafetensors(foreign, [{ name: 'w', shape: [2], data: () => new Float32Array(2) }], { format: 'hotplug' });
    expect(() => loadLearner(foreign)).toThrow(/is not a prompt-learner state \(metadata format "hotplug"/);
    const wrong = join(dir, 'wrong.safetensors');
    writeSafetensors(wrong, [{ name: 'ctx', shape: [1, 3, 32], data: () => new Float32Array(96) }], {
      format: 'hotplug-prompt',
      kind: 'coop',
      config: JSON.stringify(learner.config),
      shape: JSON.stringify(learner.shape),
    });
    expect(() => loadLearner(wrong)).toThrow(/does not match a coop learner with its stored options: tensor "ctx" is \[1, 3, 32\], expected \[1, 4, 32\]/);
    expect(() => loadLearner(join(dir, 'absent.safetensors'))).toThrow(/cannot open safetensors file/);
    learner.dispose();
  });
});
