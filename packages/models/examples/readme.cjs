// @ts-check
// The README example: load the embedded old and new models and encode two captions and two
// images with each (@hotplug/backbones and @hotplug/kernels come with the package).
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs-core');
const { initBackend } = require('@hotplug/kernels');
const { embedImageBytes } = require('@hotplug/backbones');
const { EMBEDDED_MODELS, embeddedModelCard, loadEmbeddedModel } = require('@hotplug/models');

(async () => {
  await initBackend();
  const captions = ['a photo of a sneaker.', 'two bags on the left.'];
  // Two 32x32 RGB images (what the embedded models take): a dark one and a bright one.
  const images = { size: 2, height: 32, width: 32, channels: 3, images: new Uint8Array(2 * 32 * 32 * 3).fill(40, 0, 32 * 32 * 3).fill(220, 32 * 32 * 3) };

  /** @type {Record<string, number>} */
  const dims = {};
  for (const name of /** @type {const} */ (['old', 'new'])) {
    const { clip, tokenizer } = loadEmbeddedModel(name); // or 'new-lineage'
    const text = tf.tidy(() => {
      const e = clip.text.encodeTokens(tokenizer.encodeBatch(captions)).embedding;
      return tf.div(e, tf.norm(e, 2, -1, true));
    });
    const image = await embedImageBytes(clip, images); // bytes / 255, the model's mean/std, unit length
    assert.deepEqual(text.shape, [2, clip.config.embedDim]);
    assert.equal(image.dim, clip.config.embedDim);
    // Cosine similarity of each image with each caption: finite, in [-1, 1].
    const sims = tf.tidy(() => tf.matMul(tf.tensor2d(image.data, [2, image.dim]), text, false, true).dataSync());
    assert.ok([...sims].every((s) => Number.isFinite(s) && Math.abs(s) <= 1 + 1e-5));
    assert.notDeepEqual(Array.from(image.data.subarray(0, image.dim)), Array.from(image.data.subarray(image.dim))); // the images differ
    dims[name] = clip.config.embedDim;
    text.dispose();
    clip.dispose();
  }
  assert.deepEqual(EMBEDDED_MODELS, ['old', 'new', 'new-lineage']);
  assert.ok(Array.isArray(embeddedModelCard().training)); // the model card's figures (card.json)
  console.log(`models README example (CommonJS): embedded old (${dims.old}-dim) and new (${dims.new}-dim) encoded 2 captions and 2 images each`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
