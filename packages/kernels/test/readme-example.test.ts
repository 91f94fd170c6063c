import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { contrastiveLoss, initBackend, layerNorm, scaledDotProductAttention } from '../src/index';

it('the README example runs and trains', async () => {
  const report = await initBackend(undefined, { log: () => {} });
  expect(tf.getBackend()).toBe(report.tfBackend);
  const x = tf.randomNormal([8, 4, 50, 32]) as tf.Tensor4D;
  const y = scaledDotProductAttention(x, x, x, { causal: true });
  const h = layerNorm(tf.randomNormal([8, 50, 128]), tf.ones([128]) as tf.Tensor1D, tf.zeros([128]) as tf.Tensor1D);
  const loss = contrastiveLoss(tf.randomNormal([8, 64]) as tf.Tensor2D, tf.randomNormal([8, 64]) as tf.Tensor2D, 100);
  expect(y.shape).toEqual([8, 4, 50, 32]);
  expect(h.shape).toEqual([8, 50, 128]);
  expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
  tf.dispose([x, y, h, loss]);
});
