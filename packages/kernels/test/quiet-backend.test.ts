import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { availableBackends, initBackend } from '../src/index';

// tfjs' cpu backend warns "install our node backend" on its first tensor write in Node; a
// backend hotplug chose on purpose must not (this file is its own process: fresh backends).
describe('the tfjs-node hint', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const name of ['hotplug-cpu', 'cpu'] as const) {
    it(`is not printed by ${name} chosen through initBackend`, async () => {
      if (!(await availableBackends()).includes(name)) return;
      const warn = vi.spyOn(console, 'warn');
      await initBackend(name, { log: () => {} });
      tf.tidy(() => tf.add(tf.tensor([1, 2]), 1).dataSync());
      const printed = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('install our node backend'));
      expect(printed).toEqual([]);
    });
  }

  it('is still printed by a cpu backend instance hotplug did not pick (the check is not vacuous)', async () => {
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new MathBackendCPU().write(new Float32Array([1]), [1], 'float32');
    expect(warn.mock.calls.some((c) => String(c[0]).includes('install our node backend'))).toBe(true);
  });
});
