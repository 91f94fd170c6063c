#!/usr/bin/env node
// hotplug-bench: the compatibility benchmark, end to end, on the embedded old/new pair.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@hotplug/kernels';
import { embeddedAdaptersRoot } from '@hotplug/models';
import { readBenchSpec } from './spec';
import { runBenchmark } from './run';

const USAGE = `usage: hotplug-bench [options]

Runs the compatibility benchmark: which downstream modules (linear / kNN heads, retrieval
galleries, zero-shot and prompt-tuned classifiers) trained on the old model keep working on
the new one, with and without TaCA adapters, and how well.

options:
  --quick          a short run (fewer systems, shots, seeds and images)
  --spec FILE      a benchmark spec (default: specs/default.json, or specs/quick.json with --quick)
  --out DIR        where report.json, report.md and report.html go (default: runs/bench)
  --cache DIR      features, trained modules and results; a rerun computes only what changed (default: runs/bench-cache)
  --adapters DIR   trained adapters, one folder per variant (default: the embedded pair's, in @hotplug/models)
  --old DIR, --new DIR   model folders (default: the embedded pair)
  --backend NAME   force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)`;

const specDir = fileURLToPath(new URL('../specs', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, spec: { type: 'string' }, out: { type: 'string' }, cache: { type: 'string' },
      adapters: { type: 'string' }, old: { type: 'string' }, new: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(USAGE);
  await initBackend((values.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const specPath = values.spec ?? resolve(specDir, values.quick ? 'quick.json' : 'default.json');
  const spec = readBenchSpec(specPath);
  const started = performance.now();
  const { markdown, paths, report } = await runBenchmark(spec, {
    models: { ...(values.old ? { old: resolve(values.old) } : {}), ...(values.new ? { new: resolve(values.new) } : {}) },
    adaptersRoot: resolve(values.adapters ?? embeddedAdaptersRoot()),
    outDir: resolve(values.out ?? 'runs/bench'),
    cacheDir: resolve(values.cache ?? 'runs/bench-cache'),
  });
  console.log('\n' + markdown);
  const s = report.stats;
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${report.cells.length} cells (${s.cellsCached} from the cache), ${s.featuresExtracted} feature sets extracted, ${s.headsTrained} heads and ${s.learnersTrained} learners trained`);
  console.log(`reports:\n  ${paths.markdown}\n  ${paths.html}\n  ${paths.json}`);
}

main().catch((err) => {
  console.error(`hotplug-bench: ${(err as Error).message}`);
  process.exit(1);
});
