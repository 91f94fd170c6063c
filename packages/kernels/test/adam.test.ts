import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { adam, availableBackends, FUSED_KERNELS, initBackend, nativeRunCounts } from '../src/index';
import { expectClose } from './helpers';

const backends = (await availableBackends()).filter((b) => b === 'hotplug-cpu' || b === 'cpu');
const quiet = { log: () => {} };

/** Variables after `steps` minimisations of a small non-quadratic loss with the given optimizer. */
function trajectory(optimizer: tf.Optimizer, steps: number): number[][] {
  const w = tf.variable(
    tf.tensor2d([
      [0.5, -1.2, 2],
      [0.1, 0.3, -0.7],
    ]),
  );
  const b = tf.variable(tf.tensor1d([0.2, -0.4, 0.05]));
  const x = tf.tensor2d([
    [1, 2],
    [-1, 0.5],
    [0.3, -2],
    [2, 1],
  ]);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.mean(tf.square(tf.sin(tf.add(tf.matMul(x, w), b)))) as tf.Scalar);
    out.push([...Array.from(w.dataSync()), ...Array.from(b.dataSync())]);
  }
  tf.dispose([w, b, x]);
  return out;
}

describe.each(backends)('adam (fused update) on %s', (backend) => {
  it('follows tf.train.adam step by step, and keeps the same optimizer state', async () => {
    await initBackend(backend, quiet);
    const runsBefore = nativeRunCounts().get(FUSED_KERNELS.adam) ?? 0;
    const fused = adam(0.05, 0.8, 0.99, 1e-6);
    const got = trajectory(fused, 6);
    const ran = (nativeRunCounts().get(FUSED_KERNELS.adam) ?? 0) - runsBefore;
    // Two variables, six steps: the kernel exists only on hotplug-cpu.
    expect(ran).toBe(backend === 'hotplug-cpu' ? 12 : 0);
    const reference = tf.train.adam(0.05, 0.8, 0.99, 1e-6);
    const expected = trajectory(reference, 6);
    got.forEach((row, i) => {
      expectClose(row, expected[i], 1e-5, 1e-6, `step ${i + 1}`);
    });
    const [ws, wr] = [await fused.getWeights(), await reference.getWeights()];
    expect(ws.map((w) => w.name.replace(/\d+/g, '#'))).toEqual(wr.map((w) => w.name.replace(/\d+/g, '#')));
    expect(fused.iterations).toBe(6);
    const before = tf.memory().numTensors;
    fused.dispose();
    reference.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('leaks no tensors per step', async () => {
    await initBackend(backend, quiet);
    const opt = adam(0.01);
    const w = tf.variable(tf.ones([5, 3]));
    const step = () => opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(count);
    opt.dispose();
    w.dispose();
  });
});
