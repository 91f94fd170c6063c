// Image-encoder throughput of a registered model (default: the embedded default's new model,
// hotplug-new; e.g. --model ViT-B-32 for OpenAI's shape with random weights): tfjs on the
// best backend @hotplug/kernels finds vs onnxruntime-node on the same weights (exported to
// ONNX here), batch 1 and 64 by default. Median of several timed runs after a warm-up, the two
// runtimes alternating run by run. Run after `npm run build`:
//   node bench/throughput.mjs [--model hotplug-new] [--batches 1,64] [--runs 7] [--threads N]
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import { createClip, exportImageEncoder, loadOnnxImageEncoder } from '../dist/index.js';

const text = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const arg = (name, fallback) => (text(name) === undefined ? fallback : Number(text(name)));
const modelName = text('model', 'hotplug-new');
const batches = text('batches', '1,64').split(',').map(Number);
const runs = arg('runs', 7);
const threads = arg('threads', undefined);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeOnce(encoder, images) {
  const t0 = performance.now();
  const out = await encoder.encode(images, { batchSize: images.shape[0] });
  out.dataSync();
  out.dispose();
  return performance.now() - t0;
}

/** Alternates the two encoders run by run, so load from other processes hits both alike. */
async function timePair(a, b, images, repeats) {
  await timeOnce(a, images); // warm-up (kernel caches, onnxruntime graph optimisation)
  await timeOnce(b, images);
  const ta = [];
  const tb = [];
  for (let i = 0; i < repeats; i++) {
    ta.push(await timeOnce(a, images));
    tb.push(await timeOnce(b, images));
  }
  return [median(ta), median(tb)];
}

const report = await initBackend(undefined, { log: () => {} });
const clip = createClip(modelName, { seed: 0 });
const path = join(mkdtempSync(join(tmpdir(), 'hotplug-bench-')), `${modelName}-visual.onnx`);
exportImageEncoder(clip.visual, path);
const ort = await loadOnnxImageEncoder(path, threads ? { intraOpNumThreads: threads } : {});

const v = clip.config.vision;
console.log(
  `${modelName} image encoder (${v.imageSize}x${v.imageSize}x${v.channels}, ${(v.imageSize / v.patchSize) ** 2 + 1} tokens, width ${v.width}, depth ${v.depth}, embed ${clip.config.embedDim}); median of ${runs} runs`,
);
for (const s of report.skipped) console.log(`(skipped ${s.name}: ${s.reason.slice(0, 160)})`);
console.log(
  `tfjs backend: ${report.name}${report.threads ? ` (${report.threads} threads, ${report.simd})` : ''}; onnxruntime-node intra-op threads: ${threads ?? 'default'}`,
);
console.log('batch | tfjs ms | tfjs img/s | ort ms | ort img/s | ort/tfjs');
for (const batch of batches) {
  const images = tf.randomNormal([batch, v.imageSize, v.imageSize, v.channels], 0, 1, 'float32', batch);
  const repeats = batch === 1 ? runs * 5 : runs;
  const [tfMs, ortMs] = await timePair(clip.visual, ort, images, repeats);
  const rate = (ms) => (batch / (ms / 1000)).toFixed(0);
  console.log(
    `${String(batch).padStart(5)} | ${tfMs.toFixed(2).padStart(7)} | ${rate(tfMs).padStart(10)} | ${ortMs.toFixed(2).padStart(6)} | ${rate(ortMs).padStart(9)} | ${(tfMs / ortMs).toFixed(2)}x`,
  );
  images.dispose();
}
ort.dispose();
clip.dispose();
console.log(`1-minute load average at the end: ${loadavg()[0].toFixed(1)} (other processes share these cores)`);
