// Harness benchmark: a cold run of a synthetic grid (every feature extracted, every head
// and learner trained) against a rerun on the warm cache (nothing recomputed), median of
// several runs, with the ratio measured in the same process.
//   npm run bench -w @hotplug/bench [-- --runs 3 --train 1000 --test 500]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureBackend } from '@hotplug/heads';
import { gridSize, runExperiment } from '../src/index';
import { smallSpec } from '../test/spec-fixture';
import { world } from '../test/world';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const runs = Math.max(3, option('runs', 3));
const sizes = { train: option('train', 1000), test: option('test', 500) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await ensureBackend();
const spec = smallSpec();
const cold: number[] = [];
const warm: number[] = [];
for (let r = 0; r < runs; r++) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-harness-bench-'));
  let t0 = performance.now();
  const first = await runExperiment(spec, world({}, sizes).steps, { cacheDir, progress: false });
  cold.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  const { steps, calls } = world({}, sizes);
  const second = await runExperiment(spec, steps, { cacheDir, progress: false });
  warm.push((performance.now() - t0) / 1000);
  if (second.stats.cellsComputed !== 0 || calls.extract + calls.learnerTrain !== 0) throw new Error('the warm rerun recomputed something');
  if (r === 0)
    console.log(
      `grid: ${gridSize(spec)} cells, ${first.stats.headsTrained} heads trained, ${first.stats.learnersTrained} learners trained, train ${sizes.train} / test ${sizes.test} samples per split`,
    );
  rmSync(cacheDir, { recursive: true, force: true });
}
const c = median(cold);
const w = median(warm);
console.log(`cold run  median ${c.toFixed(2)} s  (runs: ${cold.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`warm rerun median ${w.toFixed(2)} s  (runs: ${warm.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`rerun is ${(c / w).toFixed(1)}× faster than the cold run`);
