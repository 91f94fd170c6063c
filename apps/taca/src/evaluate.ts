import { join } from 'node:path';
import { runBenchmark, type BenchRunResult, type BenchSpec } from '@hotplug/app-bench';
import { parseExperimentSpec } from '@hotplug/bench';
import type { AppOptions } from './options';
import { adapterFolderName } from './train-variant';

/** The downstream tasks the adapters are judged on (never seen in training). */
export const EVAL_DATASETS = ['fashion-mnist', 'mnist'] as const;

/** The system id of a trained variant in the benchmark: `new+<adapter folder>`. */
export const adaptedSystem = (options: Pick<AppOptions, 'seed'>, variant: string) => `new+${adapterFolderName(options, variant)}`;

/**
 * What `evaluate` runs, as an apps/bench spec: the old model, the bare new one and new + each
 * trained variant (the adapter folders under <out>/adapters), judged by the old model's linear
 * and kNN heads, retrieval against the old gallery and the old text encoder's zero-shot
 * classifier: the same harness, sampling and verdicts as hotplug-bench.
 */
export function evaluationSpec(options: Pick<AppOptions, 'variants' | 'seed' | 'trainSize' | 'testSize' | 'quick'>): BenchSpec {
  const adapted = options.variants.map((v) => ({
    id: adaptedSystem(options, v),
    model: 'new',
    adapter: adapterFolderName(options, v),
    label: `new + ${adapterFolderName(options, v)}`,
  }));
  const experiment = parseExperimentSpec(
    {
      name: `hotplug-taca evaluate: old -> new with ${options.variants.join(', ')}${options.quick ? ' (quick)' : ''}`,
      datasets: [...EVAL_DATASETS],
      // Seeds of the linear head (kNN, retrieval and zero-shot are deterministic: one measurement each).
      seeds: options.quick ? [1] : [1, 2, 3],
      systems: [{ id: 'old', model: 'old', label: 'old' }, { id: 'new', model: 'new', label: 'new (no adapter)' }, ...adapted],
      heads: [
        { id: 'linear', kind: 'linear', options: { epochs: 20 } },
        { id: 'knn', kind: 'knn', options: { k: 10 } },
      ],
      retrieval: { ks: [1, 5] },
      learners: [{ id: 'zero-shot', learner: 'zeroshot', shots: [0] }],
      comparisons: [{ old: 'old', new: 'new', adapted: adapted.map((s) => s.id) }],
      // Each system on its own modules and the old modules on new / new + adapter: what the verdicts read.
      pairs: 'comparisons',
    },
    'hotplug-taca evaluate',
  );
  return { experiment, data: { trainImages: options.trainSize, testImages: options.testSize } };
}

/** Runs the evaluation spec through apps/bench's harness; report.json, report.md and report.html go to --out. */
export function evaluateAdapters(options: AppOptions): Promise<BenchRunResult> {
  return runBenchmark(evaluationSpec(options), {
    models: { old: options.oldDir, new: options.newDir },
    adaptersRoot: options.adaptersDir,
    outDir: options.outDir,
    cacheDir: join(options.outDir, 'cache', 'bench'),
  });
}
