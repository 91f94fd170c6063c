import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import {
  CONTCOOP_VARIANTS,
  PromptTarget,
  compareContcoopVariants,
  l2Normalize,
  variantTableMarkdown,
  type ImageFeatures,
  type PromptModel,
} from '../src/index';
import { MNIST, tinyModel } from './helpers';

let a: PromptModel;
let b: PromptModel;
let onA: PromptTarget;
let onB: PromptTarget;

beforeAll(async () => {
  await initBackend();
  a = tinyModel(21);
  b = tinyModel(22, { textDepth: 2 });
  // MNIST's class names are all one token in the test tokenizer: the degenerate case of keys 'name'.
  onA = new PromptTarget(a, MNIST.classNames);
  onB = new PromptTarget(b, MNIST.classNames);
});
afterAll(() => {
  onA.dispose();
  onB.dispose();
  a.clip.dispose();
  b.clip.dispose();
});

function features(rows: number, seed: number): ImageFeatures {
  const data = tf.tidy(() => l2Normalize(tf.randomNormal([rows, onA.embedDim], 0, 1, 'float32', seed) as tf.Tensor2D).dataSync() as Float32Array);
  return { data, rows, dim: onA.embedDim, labels: Int32Array.from({ length: rows }, (_, i) => i % 10) };
}

describe('compareContcoopVariants', () => {
  it('trains each variant per seed, scores it on every evaluation, and finds the tensors that cannot learn', async () => {
    const test = features(30, 2);
    const variants = CONTCOOP_VARIANTS.filter((v) => v.name === 'name' || v.name === 'name+template');
    // cached once per target, on purpose
    for (const t of [onA, onB]) {
      t.zeroShotFeatures();
      t.fixedRows();
    }
    const before = tf.memory().numTensors;
    const c = await compareContcoopVariants({
      source: onA,
      train: features(20, 1),
      evaluations: [
        { name: 'A', target: onA, test },
        { name: 'B', target: onB, test },
      ],
      variants,
      seeds: [1, 2],
      training: { steps: 2, batchSize: 10 },
    });
    expect(c.rows.map((r) => `${r.variant}/${r.seed}`)).toEqual(['name/1', 'name/2', 'name+template/1', 'name+template/2']);
    // The zero-shot reference, by hand: argmax over classes of image · hand-written class feature.
    for (const [name, t] of [
      ['A', onA],
      ['B', onB],
    ] as const) {
      const zs = t.zeroShotFeatures().arraySync() as number[][];
      let right = 0;
      for (let i = 0; i < test.rows; i++) {
        const x = test.data.subarray(i * test.dim, (i + 1) * test.dim);
        const scores = zs.map((w) => w.reduce((acc, v, d) => acc + v * x[d]!, 0));
        if (scores.indexOf(Math.max(...scores)) === test.labels[i]) right++;
      }
      expect(c.zeroShot[name]).toBeCloseTo(right / test.rows, 12);
    }
    const byName = new Map(c.summary.map((s) => [s.variant, s]));
    expect(byName.get('name')!.zeroGradient.sort()).toEqual(['attn.k.weight', 'attn.q.weight', 'ctx']);
    expect(byName.get('name+template')!.zeroGradient).toEqual([]);
    expect(byName.get('name')!.singleKeyClasses).toBe(10);
    expect(byName.get('name+template')!.singleKeyClasses).toBe(0);
    // One key per class: a certain softmax; more keys: strictly between 0 and 1 here (random-ish queries).
    expect(byName.get('name')!.attentionEntropy).toBe(0);
    expect(byName.get('name+template')!.attentionEntropy).toBeGreaterThan(0.5);
    expect(byName.get('name+template')!.attentionEntropy).toBeLessThan(1);
    // The summary's mean is the mean of the rows.
    const rowsA = c.rows.filter((r) => r.variant === 'name+template').map((r) => r.accuracy.A!);
    expect(byName.get('name+template')!.accuracy.A!.mean).toBeCloseTo((rowsA[0]! + rowsA[1]!) / 2, 12);
    const table = variantTableMarkdown(c);
    expect(table.split('\n')).toHaveLength(2 + 1 + 2);
    expect(table).toContain('| name | ');
    expect(table).toContain('attn.q.weight');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses duplicate names and empty seed lists, naming the fix', async () => {
    const test = features(10, 3);
    await expect(
      compareContcoopVariants({
        source: onA,
        train: test,
        evaluations: [
          { name: 'A', target: onA, test },
          { name: 'A', target: onB, test },
        ],
      }),
    ).rejects.toThrow(/evaluation name "A" appears twice/);
    await expect(compareContcoopVariants({ source: onA, train: test, evaluations: [{ name: 'A', target: onA, test }], seeds: [] })).rejects.toThrow(
      /seeds must be a non-empty list/,
    );
  });
});
