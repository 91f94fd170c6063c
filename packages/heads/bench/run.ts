// Heads benchmark on every available backend: linear and MLP training (Adam, batch 64),
// kNN scoring and retrieval mAP over a stored gallery; median of several runs, with
// ratios against the plain tfjs cpu backend measured in the same run.
//   npm run bench -w @hotplug/heads [-- --runs 3 --dim 256 --gallery 5000 --queries 500 --backends hotplug-cpu,wasm,cpu]
import { performance } from 'node:perf_hooks';
import { availableBackends, initBackend } from '@hotplug/kernels';
import { Rng } from '@hotplug/runtime';
import { createHead, featureMatrix, RetrievalIndex, type FeatureMatrix } from '../src/index';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const runs = Math.max(3, option('runs', 3));
const dim = option('dim', 256);
const galleryRows = option('gallery', 5000);
const queryRows = option('queries', 500);
const classes = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function data(rows: number, seed: number): { x: FeatureMatrix; y: Int32Array } {
  const rng = new Rng(seed);
  const centres = new Rng(0);
  const c = Array.from({ length: classes }, () => Array.from({ length: dim }, () => centres.normal()));
  const x = new Float32Array(rows * dim);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    y[i] = i % classes;
    for (let d = 0; d < dim; d++) x[i * dim + d] = c[y[i]!]![d]! + 2 * rng.normal();
  }
  return { x: featureMatrix(x, rows, dim), y };
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  return median(samples);
}

const train = data(galleryRows, 1);
const test = data(queryRows, 2);
const backendArg = process.argv.indexOf('--backends');
const wanted = (backendArg > 0 ? process.argv[backendArg + 1]! : 'hotplug-cpu,wasm,cpu').split(',');
const available: string[] = await availableBackends();
const results: Record<string, Record<string, number>> = {};
for (const backend of wanted.filter((b) => available.includes(b))) {
  await initBackend(backend as Parameters<typeof initBackend>[0], { log: () => {} });
  const linearEpochs = 2;
  const mlpEpochs = 2;
  const r: Record<string, number> = {};
  r['linear fit (s)'] = await time(() => createHead('linear', { epochs: linearEpochs }).fit(train.x, train.y));
  r['mlp [512] fit (s)'] = await time(() => createHead('mlp', { hidden: [512], epochs: mlpEpochs }).fit(train.x, train.y));
  const knn = createHead('knn', { k: 10, weighting: 'similarity' });
  await knn.fit(train.x, train.y);
  r['kNN scores (s)'] = await time(() => knn.scores(test.x));
  const index = new RetrievalIndex();
  index.add(train.x, train.y);
  r['retrieval mAP (s)'] = await time(() => index.evaluate(test.x, test.y, [1, 5]));
  results[backend] = r;
}
console.log(
  `heads benchmark: ${galleryRows} train/gallery rows, ${queryRows} queries, dim ${dim}, ${classes} classes, linear/MLP 2 epochs of batch 64; median of ${runs}`,
);
const metrics = Object.keys(Object.values(results)[0] ?? {});
const ref = results.cpu;
console.log(['backend', ...metrics].join(' | '));
for (const [backend, r] of Object.entries(results)) {
  console.log([backend, ...metrics.map((m) => `${r[m]!.toFixed(3)}${ref ? ` (${(ref[m]! / r[m]!).toFixed(1)}× cpu)` : ''}`)].join(' | '));
}
