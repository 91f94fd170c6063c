import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, registerWasmGradientKernels, WASM_BRIDGED_KERNELS } from '../src/index';
import { expectClose, randn } from './helpers';

async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await initBackend(name, { log: () => {} });
  return f();
}

describe('wasm gradient kernels', () => {
  it('registers every bridged kernel the wasm backend lacks', async () => {
    await initBackend('wasm', { log: () => {} });
    for (const name of WASM_BRIDGED_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(registerWasmGradientKernels()).toEqual([]); // idempotent
  });

  it('trains through gather (UnsortedSegmentSum) like the cpu backend, without leaks', async () => {
    const ids = [3, 0, 3, 7, 1, 3, 9, 0];
    const run = () => {
      const table = randn([10, 5], 1);
      const idx = tf.tensor1d(ids, 'int32');
      const w = randn([8, 5], 2);
      const before = tf.memory().numTensors;
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table);
      const out = Float32Array.from(g.dataSync() as Float32Array);
      g.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([table, idx, w]);
      return out;
    };
    const onWasm = await onBackend('wasm', run);
    const onCpu = await onBackend('cpu', run);
    expectClose(onWasm, onCpu, 1e-6, 1e-6, 'gather gradient');
    // Row 3 was gathered three times: its gradient is the sum of three rows of w.
    expect(onCpu.slice(15, 20).some((v) => v !== 0)).toBe(true);
  });

  it('computes the filter gradient of conv2d like the cpu backend', async () => {
    const run = () => {
      const x = randn([2, 6, 6, 3], 3) as tf.Tensor4D;
      const f = randn([3, 3, 3, 4], 4) as tf.Tensor4D;
      const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, 2, 'same'))))(f);
      const out = Float32Array.from(g.dataSync() as Float32Array);
      tf.dispose([x, f, g]);
      return out;
    };
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run), 1e-4, 1e-4, 'conv2d filter gradient');
  });
});
