// @ts-check
// The README example on a small randomly initialised model of the embedded architecture: encode
// images and captions, save the model and load it back, export the image encoder to ONNX and,
// where onnxruntime-node is installed, check that it agrees with tfjs.
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const tf = require('@tensorflow/tfjs-core');
const { initBackend } = require('@hotplug/kernels');
const {
  createClip,
  getConfig,
  buildTokenizer,
  configForTokenizer,
  exportImageEncoder,
  loadClip,
  loadOnnxImageEncoder,
  OnnxModelError,
  saveClip,
} = require('@hotplug/backbones');

(async () => {
  await initBackend();
  const tokenizer = buildTokenizer(['a photo of a dog', 'a photo of a cat'], { contextLength: 16, vocabSize: 600 });
  const clip = createClip(configForTokenizer(getConfig('hotplug-old'), tokenizer), { seed: 1 });
  const v = clip.config.vision;
  const images = /** @type {tf.Tensor4D} */ (tf.randomNormal([2, v.imageSize, v.imageSize, v.channels], 0, 1, 'float32', 2));
  const imageEmb = await clip.visual.encode(images);
  const textEmb = await clip.text.encode(tokenizer.encodeBatch(['a photo of a dog', 'a photo of a cat']));
  assert.deepEqual(imageEmb.shape, [2, clip.config.embedDim]);
  assert.deepEqual(textEmb.shape, [2, clip.config.embedDim]);

  const dir = mkdtempSync(join(tmpdir(), 'backbones-readme-'));
  try {
    // loadClip reads a saveClip folder, a Hugging Face snapshot (huggingface-cli download
    // openai/clip-vit-base-patch32) or an open_clip folder, and says which kind it found.
    saveClip(clip, join(dir, 'model'), tokenizer);
    const loaded = loadClip(join(dir, 'model'));
    assert.equal(loaded.kind, 'hotplug');
    assert.ok(tf.max(tf.abs(tf.sub(await loaded.clip.visual.encode(images), imageEmb))).dataSync()[0] < 1e-6);

    exportImageEncoder(clip.visual, join(dir, 'visual.onnx')); // installed adapter hooks are exported too
    try {
      // onnxruntime-node is an optional peer: with it, the export runs and agrees with tfjs.
      const onnx = await loadOnnxImageEncoder(join(dir, 'visual.onnx'), { batchSize: 64 });
      const same = await onnx.encode(images);
      assert.ok(tf.max(tf.abs(tf.sub(same, imageEmb))).dataSync()[0] < 1e-3);
      console.log(`backbones README example (CommonJS): encoded, saved and loaded (${loaded.kind} folder); tfjs and onnxruntime agree`);
    } catch (error) {
      // Without it, the error names the package and how to install it.
      if (!(error instanceof OnnxModelError) || !/npm install onnxruntime-node/.test(error.message)) throw error;
      console.log(
        `backbones README example (CommonJS): encoded, saved and loaded (${loaded.kind} folder), exported; onnxruntime-node not installed:`,
        error.message.split('\n')[0],
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
