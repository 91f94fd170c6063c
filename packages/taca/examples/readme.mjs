// @ts-check
// The README example on the embedded old/new pair: train a TaCA adapter for a few steps on a
// small caption corpus so that the new image encoder speaks the old model's 64-dim space, save
// it, and load it onto a fresh copy of the new model.
// Installed with: npm install @hotplug/taca @hotplug/models
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import { loadEmbeddedModel } from '@hotplug/models';
import {
  adapterTarget,
  createAdapter,
  encoderIdentity,
  exportAdaptedEncoder,
  injectAdapter,
  loadAdapter,
  saveAdapter,
  teacherFeatures,
  teacherFromClip,
  trainAdapter,
} from '@hotplug/taca';

await initBackend();
const { clip: old, tokenizer } = loadEmbeddedModel('old'); // 64-dim embedding
const { clip: next } = loadEmbeddedModel('new'); // 96-dim embedding, another architecture

// A caption corpus (no labels needed): 32 32x32 RGB images of a coloured square, one caption each.
const colours = /** @type {const} */ ([
  ['red', [220, 30, 30]],
  ['green', [30, 200, 30]],
  ['blue', [30, 30, 220]],
  ['white', [230, 230, 230]],
]);
const corpus = { size: 32, height: 32, width: 32, channels: 3, images: new Uint8Array(32 * 32 * 32 * 3), captions: /** @type {string[]} */ ([]) };
for (let i = 0; i < corpus.size; i++) {
  const [name, rgb] = colours[i % 4] ?? colours[0];
  const x0 = (i * 7) % 16,
    y0 = (i * 5) % 16; // square position varies per image
  for (let y = y0; y < y0 + 14; y++) for (let x = x0; x < x0 + 14; x++) corpus.images.set(rgb, ((i * 32 + y) * 32 + x) * 3);
  corpus.captions.push(`a ${name} square.`);
}

// The old model runs forward once over the corpus: the targets the adapter learns to match.
const teacher = teacherFromClip(old, tokenizer);
const feats = await teacherFeatures(teacher, corpus, { progress: false });

const adapter = createAdapter({ variant: 'taca-symmetric', options: { bottleneck: 16 } }, adapterTarget(next.visual, old.config.embedDim));
const adapted = injectAdapter(next.visual, adapter); // hooks in, backbone untouched
const result = await trainAdapter({
  encoder: adapted,
  corpus,
  teacher: feats,
  progress: false,
  config: {
    steps: 8,
    batchSize: 8,
    lr: 5e-3,
    warmupSteps: 2,
    loss: { distill: 1, distillKind: 'cosine', contrastive: 0.1, influence: 0, scale: teacher.logitScale },
  },
});
const history = result.summary.history;
assert.ok((history.at(-1)?.loss ?? Infinity) < (history[0]?.loss ?? 0), 'the loss went down');

const dir = mkdtempSync(join(tmpdir(), 'taca-readme-'));
try {
  // adapter.safetensors + adapter.json: adapter weights only, and the two models it joins (checked on load)
  saveAdapter(adapter, join(dir, 'taca'), { model: encoderIdentity(next.visual), outputSpace: encoderIdentity(old.visual) });
  exportAdaptedEncoder(adapted, join(dir, 'taca', 'visual-taca.onnx')); // backbone + adapter, for onnxruntime-node
  assert.ok(statSync(join(dir, 'taca', 'visual-taca.onnx')).size > 4 * result.backboneParameters);
  const images = /** @type {tf.Tensor4D} */ (tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 3)); // normalised NHWC
  const features = await adapted.encode(images); // [4, 64]: what the old model's heads take
  assert.deepEqual(features.shape, [4, old.config.embedDim]);

  // Later, elsewhere: a fresh backbone plus the saved adapter gives the same features.
  const fresh = loadEmbeddedModel('new').clip;
  const again = injectAdapter(fresh.visual, loadAdapter(join(dir, 'taca'), fresh.visual));
  const diff = tf.max(tf.abs(tf.sub(await again.encode(images), features))).dataSync()[0] ?? Infinity;
  assert.ok(diff < 1e-5, `reloaded adapter differs by ${diff}`);
  console.log(
    `taca README example (ESM): ${result.adapterParameters} adapter parameters trained ${history.length} steps on a frozen ${result.backboneParameters}-parameter encoder, loss ${history[0]?.loss.toFixed(3)} -> ${history.at(-1)?.loss.toFixed(3)}; reloaded adapter matches`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
