import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, readdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { AdamW, StepSampler, Trainer, clipByGlobalNorm, learningRate } from '../src/index';

beforeAll(async () => {
  await initBackend();
});

describe('learningRate', () => {
  it('warms up linearly, then follows a half cosine to the floor (hand-worked)', () => {
    const cfg = { lr: 1, warmupSteps: 10, kind: 'cosine' as const };
    expect(learningRate(cfg, 0, 110)).toBeCloseTo(0.1);
    expect(learningRate(cfg, 9, 110)).toBeCloseTo(1);
    expect(learningRate(cfg, 10, 110)).toBeCloseTo(1);
    expect(learningRate(cfg, 60, 110)).toBeCloseTo(0.5);
    expect(learningRate(cfg, 110, 110)).toBeCloseTo(0);
    expect(learningRate({ ...cfg, minLrRatio: 0.1 }, 110, 110)).toBeCloseTo(0.1);
    expect(learningRate({ lr: 0.3, kind: 'constant' }, 50, 100)).toBe(0.3);
  });
});

describe('AdamW', () => {
  it('makes the hand-worked first step, with and without decoupled decay', () => {
    // g = 2: m = 0.2, v = 0.004, m^ = 2, v^ = 4, update = 1; lr 0.1 -> p = 1 - 0.1
    const p = tf.variable(tf.tensor2d([[1]]), true, 'adam_hand');
    const opt = new AdamW(new Map([['p', p]]), { weightDecay: 0.1 });
    opt.apply({ p: tf.tensor2d([[2]]) }, 0.1);
    // with decay on a matrix: update = 1 + 0.1 * 1 -> p = 1 - 0.11
    expect(p.dataSync()[0]).toBeCloseTo(0.89, 6);
    const b = tf.variable(tf.tensor1d([1]), true, 'adam_bias');
    const optB = new AdamW(new Map([['b', b]]), { weightDecay: 0.1 });
    optB.apply({ b: tf.tensor1d([2]) }, 0.1);
    expect(b.dataSync()[0]).toBeCloseTo(0.9, 6); // vectors do not decay by default
    opt.dispose();
    optB.dispose();
  });

  it('matches tfjs Adam when weight decay is off', () => {
    const init = tf.randomNormal([4, 3], 0, 1, 'float32', 3);
    const target = tf.randomNormal([4, 3], 0, 1, 'float32', 4);
    const mine = tf.variable(init.clone(), true, 'adam_mine');
    const ref = tf.variable(init.clone(), true, 'adam_ref');
    const opt = new AdamW(new Map([['w', mine]]), { beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    const refOpt = tf.train.adam(0.05, 0.8, 0.99, 1e-7);
    for (let i = 0; i < 5; i++) {
      const loss = (w: tf.Tensor) => tf.sum(tf.square(tf.sub(tf.tanh(w), target))) as tf.Scalar;
      const { grads } = tf.variableGrads(() => loss(mine), [mine]);
      opt.apply({ w: grads[mine.name]! }, 0.05);
      tf.dispose(grads);
      refOpt.minimize(() => loss(ref), false, [ref])?.dispose();
    }
    const diff = tf.max(tf.abs(tf.sub(mine, ref))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    opt.dispose();
    refOpt.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales [3, 4] (norm 5) down to norm 1 and leaves small gradients alone', () => {
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    expect(norm).toBeCloseTo(5);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(0.6, 4);
    expect(grads.b!.dataSync()[0]).toBeCloseTo(0.8, 4);
    const small = clipByGlobalNorm({ a: tf.tensor1d([0.3]) }, 1);
    expect(small.grads.a!.dataSync()[0]).toBeCloseTo(0.3);
  });
});

describe('StepSampler', () => {
  it('gives every index once per epoch, the same for the same seed, at any step', () => {
    const s = new StepSampler(10, 3, 7);
    expect(s.batchesPerEpoch).toBe(3);
    const epoch0 = [0, 1, 2].flatMap((i) => [...s.batch(i)]);
    expect(new Set(epoch0).size).toBe(9);
    const fresh = new StepSampler(10, 3, 7);
    expect([...fresh.batch(4)]).toEqual([...s.batch(4)]);
    expect([...new StepSampler(10, 3, 8).batch(0)]).not.toEqual([...s.batch(0)]);
    expect(() => new StepSampler(2, 3, 0)).toThrow(/lower the batch size/);
  });
});

/** A small regression problem whose batches come from the step index. */
function regression(initSeed: number, dataSeed = 5) {
  const x = tf.randomNormal([64, 5], 0, 1, 'float32', 11);
  const wTrue = tf.randomNormal([5, 2], 0, 1, 'float32', 12);
  const y = tf.matMul(x, wTrue);
  const w = tf.variable(tf.randomNormal([5, 2], 0, 0.1, 'float32', initSeed), true);
  const b = tf.variable(tf.zeros([2]), true);
  const sampler = new StepSampler(64, 16, dataSeed);
  const loss = (step: number) => {
    const idx = tf.tensor1d(sampler.batch(step), 'int32');
    const xb = tf.gather(x, idx);
    const yb = tf.gather(y, idx);
    const l = tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xb, w), b), yb))) as tf.Scalar;
    return { loss: l, metrics: { w0: tf.reshape(tf.slice(w, [0, 0], [1, 1]), []) as tf.Scalar } };
  };
  const params = new Map([
    ['w', w],
    ['b', b],
  ]);
  return { params, loss, dispose: () => tf.dispose([x, wTrue, y, w, b]) };
}

describe('Trainer', () => {
  const config = (dir: string, totalSteps = 30) => ({
    totalSteps,
    schedule: { lr: 0.05, warmupSteps: 3 },
    optimizer: { weightDecay: 0.01 },
    clipGradNorm: 10,
    checkpoint: { dir, every: 5 },
    logFile: join(dir, 'logs', 'metrics.jsonl'), // a folder that does not exist yet
    logEvery: 1,
    progress: false,
  });

  it('lowers the loss and logs every step as JSONL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-train-'));
    const r = regression(1);
    const trainer = new Trainer(r.params, config(dir));
    const summary = await trainer.fit(r.loss);
    expect(summary.history[summary.history.length - 1]!.loss).toBeLessThan(summary.history[0]!.loss * 0.5);
    const lines = readFileSync(join(dir, 'logs', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(lines[0]).toHaveProperty('w0');
    trainer.dispose();
    r.dispose();
  });

  it('resumes after a kill to exactly the state of an uninterrupted run', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'hotplug-train-a-'));
    const a = regression(2);
    const ta = new Trainer(a.params, config(dirA, 20));
    await ta.fit(a.loss);

    const dirB = mkdtempSync(join(tmpdir(), 'hotplug-train-b-'));
    const b1 = regression(2);
    const tb1 = new Trainer(b1.params, config(dirB, 20));
    const killAt = 13;
    await expect(
      tb1.fit((step) => {
        if (step === killAt) throw new Error('killed');
        return b1.loss(step);
      }),
    ).rejects.toThrow('killed');
    tb1.dispose();
    b1.dispose();
    expect(readdirSync(dirB).filter((f) => f.endsWith('.bin'))).toEqual(['weights-00000010.bin']);

    const b2 = regression(99); // different init: everything must come from the checkpoint
    const tb2 = new Trainer(b2.params, config(dirB, 20));
    const summary = await tb2.fit(b2.loss);
    expect(summary.startStep).toBe(10);
    for (const name of ['w', 'b']) {
      expect([...b2.params.get(name)!.dataSync()]).toEqual([...a.params.get(name)!.dataSync()]);
    }
    const steps = readFileSync(join(dirB, 'logs', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // no step logged twice
    ta.dispose();
    tb2.dispose();
    a.dispose();
    b2.dispose();
  });

  it('leaks no tensors across training steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-train-leak-'));
    const r = regression(3);
    const trainer = new Trainer(r.params, { ...config(dir, 12), checkpoint: { dir, every: 4 } });
    const counts: number[] = [];
    await trainer.fit(r.loss, () => counts.push(tf.memory().numTensors));
    expect(counts[counts.length - 1]).toBe(counts[1]);
    trainer.dispose();
    r.dispose();
  });

  it('refuses a corrupt checkpoint with a message that says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-train-bad-'));
    const r = regression(4);
    const t1 = new Trainer(r.params, config(dir, 5));
    await t1.fit(r.loss);
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    truncateSync(join(dir, bin), 10);
    const t2 = new Trainer(r.params, config(dir, 5));
    await expect(t2.fit(r.loss)).rejects.toThrow(/corrupt.*delete the checkpoint folder/);
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
    t1.dispose();
    t2.dispose();
    r.dispose();
  });

  it('frees every tensor it made once disposed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-train-free-'));
    const r = regression(5);
    const before = tf.memory().numTensors;
    const trainer = new Trainer(r.params, { ...config(dir, 6), checkpoint: { dir, every: 3 } });
    await trainer.fit(r.loss);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    r.dispose();
  });

  it('rejects frozen parameters and empty parameter sets', () => {
    const frozen = tf.variable(tf.zeros([2]), false);
    expect(() => new Trainer(new Map([['f', frozen]]), { totalSteps: 1, schedule: { lr: 1 } })).toThrow(/not trainable/);
    expect(() => new Trainer(new Map(), { totalSteps: 1, schedule: { lr: 1 } })).toThrow(/no parameters/);
    frozen.dispose();
  });
});
