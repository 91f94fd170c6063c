// @ts-check
// The README example on the embedded models: learn CoOp prompts for four classes of
// coloured-square images on the old model, save them, and plug them into the continued-lineage
// model, whose text tower has the same token-embedding width.
// Installed with: npm install @hotplug/contcoop @hotplug/models
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { initBackend } = require('@hotplug/kernels');
const { embedImageBytes } = require('@hotplug/backbones');
const { loadEmbeddedModel } = require('@hotplug/models');
const { PromptTarget, accuracyOf, createLearner, loadLearner, predictClasses, saveLearner, trainPromptLearner } = require('@hotplug/contcoop');

(async () => {
  await initBackend();
  const old = loadEmbeddedModel('old'); // { clip, tokenizer }
  const next = loadEmbeddedModel('new-lineage');
  const classNames = ['red square', 'green square', 'blue square', 'white square'];
  const prompts = classNames.map((c) => [`a photo of a ${c}.`, `a ${c}.`]);
  const onOld = new PromptTarget(old, classNames, { zeroShotPrompts: prompts }); // freezes the model
  const onNew = new PromptTarget(next, classNames, { zeroShotPrompts: prompts });

  // 48 32x32 RGB images, 12 per class: a square of the class colour at a varying place.
  const rgb = [
    [220, 30, 30],
    [30, 200, 30],
    [30, 30, 220],
    [230, 230, 230],
  ];
  const stack = { size: 48, height: 32, width: 32, channels: 3, images: new Uint8Array(48 * 32 * 32 * 3) };
  const labels = Int32Array.from({ length: 48 }, (_, i) => i % 4);
  for (let i = 0; i < 48; i++) {
    const x0 = (i * 7) % 16,
      y0 = (i * 5) % 16;
    for (let y = y0; y < y0 + 14; y++) for (let x = x0; x < x0 + 14; x++) stack.images.set(rgb[i % 4] ?? [], ((i * 32 + y) * 32 + x) * 3);
  }
  const features = async (/** @type {typeof old} */ model) => ({ ...(await embedImageBytes(model.clip, stack)), labels });
  const oldFeatures = await features(old);

  const zeroshot = accuracyOf(predictClasses(createLearner('zeroshot', onOld), onOld, oldFeatures), labels);
  const learner = createLearner('coop', onOld, { seed: 1, options: { nCtx: 4 } });
  await trainPromptLearner(learner, onOld, oldFeatures, { steps: 40, batchSize: 16, lr: 2e-2 });
  const trained = accuracyOf(predictClasses(learner, onOld, oldFeatures), labels);
  assert.ok(trained > 0.9 && trained >= zeroshot, `CoOp ${trained}, zero-shot ${zeroshot}`);

  const dir = mkdtempSync(join(tmpdir(), 'contcoop-readme-'));
  try {
    saveLearner(learner, join(dir, 'coop.safetensors'), onOld); // learned parameters only, with the model they were learned on
    // Applied to another model: say so with force (the recorded model differs, which is the point here).
    const plugged = loadLearner(join(dir, 'coop.safetensors'), { target: onNew, force: true });
    const onNext = accuracyOf(predictClasses(plugged, onNew, await features(next)), labels);
    assert.ok(onNext >= 0 && onNext <= 1);
    console.log(
      `contcoop README example (CommonJS): zero-shot ${zeroshot.toFixed(2)}, CoOp on old ${trained.toFixed(2)}, plugged into new-lineage ${onNext.toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
