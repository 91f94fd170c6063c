import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { ensureBackend } from '../src/index';

describe('ensureBackend', () => {
  it('keeps the backend the application chose (a library never overrides it)', async () => {
    await tf.setBackend('cpu');
    await ensureBackend();
    expect(tf.getBackend()).toBe('cpu');
    await ensureBackend(); // idempotent
    expect(tf.getBackend()).toBe('cpu');
  });
});
