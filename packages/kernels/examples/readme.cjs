// @ts-check
// The README example: pick a backend, run the fused ops, and check what they compute, not only
// that they run.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs-core');
const { initBackend, layerNorm, scaledDotProductAttention, contrastiveLoss } = require('@hotplug/kernels');

(async () => {
  const report = await initBackend(); // logs which backend it chose and why the better ones were skipped
  const x = /** @type {tf.Tensor4D} */ (tf.randomNormal([8, 4, 50, 32])); // [batch, heads, tokens, headDim]
  const y = scaledDotProductAttention(x, x, x, { causal: true });
  const h = layerNorm(tf.randomNormal([8, 50, 128]), tf.ones([128]), tf.zeros([128]));
  const loss = contrastiveLoss(tf.randomNormal([8, 64]), tf.randomNormal([8, 64]), 100);

  assert.deepEqual(y.shape, x.shape);
  // Causal attention: the first token attends only to itself, so its output is its own value row.
  assert.ok(tf.max(tf.abs(tf.sub(tf.slice(y, [0, 0, 0, 0], [-1, -1, 1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, 1, -1])))).dataSync()[0] < 1e-4);
  // LayerNorm with gamma 1, beta 0: every row has mean 0 and variance 1.
  assert.ok(tf.max(tf.abs(tf.mean(h, -1))).dataSync()[0] < 1e-4);
  assert.ok(Math.abs(tf.mean(tf.moments(h, -1).variance).dataSync()[0] - 1) < 1e-2);
  assert.ok(Number.isFinite(loss.dataSync()[0]) && loss.dataSync()[0] > 0);
  console.log(`kernels README example (CommonJS): backend ${report.name}, loss ${loss.dataSync()[0].toFixed(3)}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
