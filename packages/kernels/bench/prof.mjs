import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../dist/index.js';
import { createVit, VIT_BENCH_CONFIG, vitLoss } from './vit.mjs';
await initBackend(process.argv[2] ?? 'hotplug-cpu', { log: () => {} });
const model = createVit(VIT_BENCH_CONFIG, 7);
const { batch, tokens, patchDim, classes } = VIT_BENCH_CONFIG;
const patches = tf.randomNormal([batch, tokens - 1, patchDim], 0, 1, 'float32', 3);
const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32');
const opt = tf.train.adam(1e-3);
const step = () => { const l = opt.minimize(() => vitLoss(model, patches, labels), true); l.dataSync(); l.dispose(); };
step(); step();
let t0 = performance.now(); step(); console.log('step ms', (performance.now() - t0).toFixed(0));
const info = await tf.profile(step);
const by = new Map();
for (const k of info.kernels) { const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs; e.n++; by.set(k.name, e); }
const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
let total = 0; for (const [, e] of by) total += e.ms;
console.log('total kernel ms', total.toFixed(0), 'kernels', info.kernels.length);
for (const [name, e] of rows) console.log(name.padEnd(22), e.ms.toFixed(1).padStart(8), String(e.n).padStart(5));
const { nativeRunCounts } = await import('../dist/index.js');
const before = new Map(nativeRunCounts());
const info2 = await tf.profile(step);
const calls = new Map(); for (const k of info2.kernels) calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
for (const [name, n] of nativeRunCounts()) { const d = n - (before.get(name) ?? 0); if (calls.get(name) !== d) console.log('fallback', name, 'native', d, 'calls', calls.get(name)); }
for (const k of info2.kernels) if (k.name === 'Mean' && k.kernelTimeMs > 1) console.log('Mean', k.inputShapes, k.kernelTimeMs.toFixed(1));
