// @ts-check
// The README example on a synthetic upgrade: an "old" model with 8-dim features, a "new" one
// with 12 (a permuted, cleaner view of the same points plus 4 extra dimensions) and an adapter
// that maps new features back into old's space. The harness trains the old system's heads and
// answers which modules keep working after the swap.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featureMatrix } from '@hotplug/heads';
import { Rng } from '@hotplug/runtime';
import { StepRegistry, runExperiment, writeHtmlReport, writeJsonReport, writeMarkdownReport } from '@hotplug/bench';

// Points around 4 class centres in 8 dimensions; each model sees them with its own noise.
const DIM = 8,
  SIZES = { train: 120, test: 80 };
const centres = Array.from({ length: 4 }, (_, c) => Array.from({ length: DIM }, (_, d) => (d % 4 === c ? 2 : 0)));
const order = [3, 7, 1, 5, 0, 4, 2, 6]; // new's dimension j holds old's dimension order[j]
/** @param {'old' | 'new'} model @param {'train' | 'test'} split */
function extract(model, split) {
  const rng = new Rng(`${model}/${split}`);
  const n = SIZES[split],
    dim = model === 'old' ? DIM : DIM + 4;
  const data = new Float32Array(n * dim),
    labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 4;
    const point = (centres[i % 4] ?? []).map((v) => v + (model === 'old' ? 0.8 : 0.4) * rng.normal());
    for (let j = 0; j < dim; j++) data[i * dim + j] = model === 'old' ? (point[j] ?? 0) : j < DIM ? (point[order[j] ?? 0] ?? 0) : rng.normal();
  }
  return { features: featureMatrix(data, n, dim), labels };
}
/** @param {import('@hotplug/bench').FeatureSet} set */
function backToOld(set) {
  const { rows, dim, data } = set.features;
  const out = new Float32Array(rows * DIM);
  for (let i = 0; i < rows; i++) for (let j = 0; j < DIM; j++) out[i * DIM + (order[j] ?? 0)] = data[i * dim + j] ?? 0;
  return { features: featureMatrix(out, rows, DIM), labels: set.labels };
}

const steps = new StepRegistry()
  .model('clip-old', { version: 'v1', extract: async ({ split }) => extract('old', split) })
  .model('clip-new', { version: 'v1', extract: async ({ split }) => extract('new', split) })
  .adapter('unpermute', { version: 'v1', extract: async ({ base }) => backToOld(await base()) });

const dir = mkdtempSync(join(tmpdir(), 'bench-readme-'));
try {
  const report = await runExperiment(
    {
      name: 'synthetic upgrade',
      datasets: ['blobs'],
      seeds: [1],
      systems: [
        { id: 'old', model: 'clip-old' },
        { id: 'new', model: 'clip-new' },
        { id: 'new+unpermute', model: 'clip-new', adapter: 'unpermute', label: 'new + adapter' },
      ],
      heads: [{ id: 'linear', kind: 'linear', options: { epochs: 30 } }],
      retrieval: { ks: [1, 5] },
      comparisons: [{ old: 'old', new: 'new', adapted: ['new+unpermute'] }],
    },
    steps,
    { cacheDir: join(dir, 'cache'), progress: false },
  ); // a rerun computes only what changed
  writeJsonReport(join(dir, 'report.json'), report);
  writeMarkdownReport(join(dir, 'report.md'), report);
  writeHtmlReport(join(dir, 'report.html'), report);
  assert.ok(['json', 'md', 'html'].every((ext) => existsSync(join(dir, `report.${ext}`))));

  // The old linear head: fed by the old model, by the raw new model (12 dims: cannot run) and by the adapted new model.
  const cell = (/** @type {string} */ query) =>
    report.cells.find((c) => c.task === 'head' && c.method === 'linear' && c.query === query && c.reference === 'old');
  const oldOld = cell('old')?.metrics.accuracy ?? 0,
    adapted = cell('new+unpermute')?.metrics.accuracy ?? 0;
  assert.equal(cell('new')?.status, 'incompatible');
  assert.ok(oldOld > 0.8 && adapted >= oldOld - 0.05, `old ${oldOld}, new + adapter ${adapted}`);
  const again = await runExperiment(report.spec, steps, { cacheDir: join(dir, 'cache'), progress: false });
  assert.equal(again.stats.cellsCached, again.cells.length); // everything came from the cache
  console.log(
    `bench README example (ESM): ${report.cells.length} cells; old head on old ${oldOld.toFixed(2)}, on new + adapter ${adapted.toFixed(2)}, on raw new: ${cell('new')?.status}; rerun all cached`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
