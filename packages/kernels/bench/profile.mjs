// Where one ViT training step spends its time, per tfjs kernel, on one backend; also lists
// kernels of the native backend that fell back to the cpu implementation.
//   node bench/profile.mjs [hotplug-cpu|wasm|cpu]   (after npm run build)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, nativeRunCounts } from '../dist/index.js';
import { createVit, VIT_BENCH_CONFIG, vitLoss } from './vit.mjs';

const backend = process.argv[2] ?? 'hotplug-cpu';
await initBackend(backend, { log: () => {} });
const model = createVit(VIT_BENCH_CONFIG, 7);
const { batch, tokens, patchDim, classes } = VIT_BENCH_CONFIG;
const patches = tf.randomNormal([batch, tokens - 1, patchDim], 0, 1, 'float32', 3);
const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32');
const optimizer = tf.train.adam(1e-3);
const step = () => {
  const loss = optimizer.minimize(() => vitLoss(model, patches, labels), true);
  loss.dataSync();
  loss.dispose();
};
step();
const t0 = performance.now();
step();
console.log(`${backend}: one step ${(performance.now() - t0).toFixed(0)} ms`);

const nativeBefore = new Map(nativeRunCounts());
const { kernels } = await tf.profile(step);
const byName = new Map();
for (const k of kernels) {
  const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += k.kernelTimeMs;
  entry.calls++;
  byName.set(k.name, entry);
}
console.log('kernel                      ms  calls   (customGrad forwards appear as "forward" and include their inner kernels)');
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(`${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ${String(e.calls).padStart(6)}`);
}
for (const [name, count] of nativeRunCounts()) {
  const native = count - (nativeBefore.get(name) ?? 0);
  const calls = byName.get(name)?.calls ?? 0;
  if (native < calls) console.log(`fallback: ${name} ran natively ${native} of ${calls} times`);
}
