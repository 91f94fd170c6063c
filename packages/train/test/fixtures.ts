import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepSampler, Trainer, type TrainerConfig } from '../src/index';

/** A two-parameter least-squares problem whose batches come from the step index. */
export function tinyProblem(seed = 1) {
  const x = tf.randomNormal([32, 3], 0, 1, 'float32', 21);
  const y = tf.matMul(x, tf.randomNormal([3, 1], 0, 1, 'float32', 22));
  const w = tf.variable(tf.randomNormal([3, 1], 0, 0.1, 'float32', seed), true);
  const b = tf.variable(tf.zeros([1]), true);
  const sampler = new StepSampler(32, 8, 3);
  const loss = (step: number) => {
    const idx = tf.tensor1d(sampler.batch(step), 'int32');
    return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.gather(x, idx), w), b), tf.gather(y, idx)))) as tf.Scalar;
  };
  return {
    params: new Map([
      ['w', w],
      ['b', b],
    ]),
    loss,
    sampler,
    dispose: () => tf.dispose([x, y, w, b]),
  };
}

export function runConfig(dir: string, overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return {
    totalSteps: 6,
    schedule: { lr: 0.05, warmupSteps: 1 },
    checkpoint: { dir, every: 3 },
    logFile: join(dir, 'metrics.jsonl'),
    logEvery: 1,
    progress: false,
    run: { recipe: { lr: 0.05, seed: 3 } },
    warn: () => {},
    ...overrides,
  };
}

/** Trains the tiny problem to its end in a fresh folder; returns the folder. */
export async function finishedRun(overrides: Partial<TrainerConfig> = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-resume-'));
  const p = tinyProblem();
  const t = new Trainer(p.params, runConfig(dir, overrides));
  try {
    await t.fit(p.loss);
  } finally {
    t.dispose();
    p.dispose();
  }
  return dir;
}

/** A run killed at step `killAt` (its last checkpoint at step 3 of 6). */
export async function killedRun(killAt = 4): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-killed-'));
  const p = tinyProblem();
  const t = new Trainer(p.params, runConfig(dir));
  try {
    await t.fit((step) => {
      if (step === killAt) throw new Error('killed');
      return p.loss(step);
    });
  } catch (err) {
    if ((err as Error).message !== 'killed') throw err;
  } finally {
    t.dispose();
    p.dispose();
  }
  return dir;
}
