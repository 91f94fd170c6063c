// Measures loading and batching. Usage: npm run build && node scripts/bench.mjs
// Prints medians of several runs and ratios against a reference measured in the same run.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import { BatchIterator, NORMALIZATION, PRESET_PIPELINES, loadDataset, subset } from '../dist/index.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(runs, fn) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const report = await initBackend(undefined, { log: () => {} });
console.log(`backend: ${report.name}`);

for (const name of ['fashion-mnist', 'mnist']) {
  loadDataset(name, 'train'); // make sure the cache exists
  const parse = await time(3, () => loadDataset(name, 'train', { cache: false }));
  const cached = await time(5, () => loadDataset(name, 'train'));
  console.log(`${name} train: parse source ${parse.toFixed(0)} ms, cached ${cached.toFixed(0)} ms, ${(parse / cached).toFixed(1)}x faster from cache`);
}

const train = loadDataset('fashion-mnist', 'train');
const data = subset(
  train,
  Array.from({ length: 10240 }, (_, i) => i),
);
const batchSize = 256;
async function epoch(options) {
  for await (const b of new BatchIterator(data, { batchSize, ...options })) b.images.dataSync();
}
async function reference() {
  // The least any batcher can do: one float tensor per batch from contiguous bytes.
  for (let s = 0; s < data.size; s += batchSize) {
    const n = Math.min(batchSize, data.size - s);
    const bytes = data.images.subarray(s * 784, (s + n) * 784);
    const f = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) f[i] = bytes[i] / 255;
    const t = tf.tensor4d(f, [n, 28, 28, 1]);
    t.dataSync();
    t.dispose();
  }
}
await reference(); // warm-up
const ref = await time(5, reference);
const plain = await time(5, () => epoch({ transform: PRESET_PIPELINES.eval(NORMALIZATION['fashion-mnist']) }));
const augmented = await time(5, () => epoch({ transform: PRESET_PIPELINES.trainSmall(NORMALIZATION['fashion-mnist']) }));
const onWorker = await time(5, () => epoch({ worker: true, prefetch: 2, transform: PRESET_PIPELINES.trainSmall(NORMALIZATION['fashion-mnist']) }));
// A synchronous 20 ms "training step" per batch: how much batch building the worker hides.
async function trainLoop(options) {
  for await (const b of new BatchIterator(data, { batchSize, ...options })) {
    const until = performance.now() + 20;
    while (performance.now() < until);
    b.images.dataSync();
  }
}
const stepsOnly = (data.size / batchSize) * 20;
const loopMain = await time(3, () => trainLoop({ transform: PRESET_PIPELINES.trainSmall(NORMALIZATION['fashion-mnist']) }));
const loopWorker = await time(3, () => trainLoop({ worker: true, transform: PRESET_PIPELINES.trainSmall(NORMALIZATION['fashion-mnist']) }));
const rate = (ms) => ((data.size / ms) * 1000).toFixed(0);
console.log(
  `batches of ${batchSize}, 10,240 images: reference ${rate(ref)} img/s; BatchIterator eval ${rate(plain)} img/s (${(plain / ref).toFixed(2)}x reference time); trainSmall (affine+normalize) ${rate(augmented)} img/s (${(augmented / ref).toFixed(2)}x)`,
);
console.log(`trainSmall on the worker thread: ${rate(onWorker)} img/s (${(augmented / onWorker).toFixed(1)}x the tfjs path)`);
console.log(
  `40 steps of a blocking 20 ms training step with trainSmall batches: steps alone ${stepsOnly.toFixed(0)} ms; event-loop prefetch ${loopMain.toFixed(0)} ms; worker prefetch ${loopWorker.toFixed(0)} ms`,
);
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
