// ONNX export of a published CLIP shape (random weights): export time, file size, onnxruntime
// vs tfjs on the same weights. Run after `npm run build`: node bench/onnx-published.mjs [ViT-B-32]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import { createClip, exportImageEncoder, loadOnnxImageEncoder } from '../dist/index.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const name = process.argv[2] ?? 'ViT-B-32';
const dir = mkdtempSync(join(tmpdir(), 'hotplug-onnx-published-'));
const path = join(dir, 'visual.onnx');
await initBackend(undefined, { log: () => {} });
let t = performance.now();
const clip = createClip(name, { seed: 0 });
console.log('create', ((performance.now() - t) / 1000).toFixed(1), 's');
t = performance.now();
exportImageEncoder(clip.visual, path);
console.log('export', ((performance.now() - t) / 1000).toFixed(1), 's', (statSync(path).size / 2 ** 20).toFixed(0), 'MiB');
const ort = await loadOnnxImageEncoder(path);
const v = clip.config.vision;
const images = tf.randomNormal([2, v.imageSize, v.imageSize, v.channels], 0, 1, 'float32', 1);
t = performance.now();
const a = await ort.encode(images);
console.log('ort', ((performance.now() - t) / 1000).toFixed(2), 's');
t = performance.now();
const b = await clip.visual.encode(images);
console.log('tfjs', ((performance.now() - t) / 1000).toFixed(2), 's');
const d = a.dataSync(),
  e = b.dataSync();
let m = 0;
for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i] - e[i]));
let mx = 0;
for (let i = 0; i < e.length; i++) mx = Math.max(mx, Math.abs(e[i]));
console.log(`${name}: max abs error onnxruntime vs tfjs ${m.toExponential(2)} (largest |embedding| value ${mx.toFixed(2)})`);
ort.dispose();
clip.dispose();
rmSync(dir, { recursive: true, force: true });
