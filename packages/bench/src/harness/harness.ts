import { ProgressBar } from '@hotplug/runtime';
import { analyse, type FlipRow, type VerdictRow } from './analysis';
import { ArtefactCache } from './cache';
import type { RunContext } from './context';
import { FeatureProvider } from './features';
import { emptyStats, type CellResult, type CellRecord, type RunStats } from './results';
import { runHeadCells } from './run-heads';
import { runLearnerCells } from './run-learners';
import { runRetrievalCells } from './run-retrieval';
import { validateSpec, type ExperimentSpec } from './spec';
import type { StepRegistry } from './steps';

/** Everything a run produced: the machine-readable report the JSON/Markdown/HTML writers take. */
export interface ExperimentReport {
  format: 'hotplug-bench-report';
  formatVersion: 1;
  name: string;
  spec: ExperimentSpec;
  stats: RunStats;
  cells: CellResult[];
  verdicts: VerdictRow[];
  flips: FlipRow[];
}

/** How to run an experiment. */
export interface RunOptions {
  /** Where features, trained modules and cell results are cached; a rerun reuses them. */
  cacheDir: string;
  /** Progress bar stream (default stderr); false for none. */
  progress?: NodeJS.WritableStream | false;
}

/** Number of grid cells a spec describes. */
export function gridSize(spec: ExperimentSpec): number {
  const pairs = spec.systems.length ** 2;
  const learnerCells = (spec.learners ?? []).reduce((n, l) => n + l.shots.length * (l.systems?.length ?? spec.systems.length) ** 2, 0);
  const perSeed = (spec.heads?.length ?? 0) * pairs + learnerCells;
  return spec.datasets.length * (perSeed * spec.seeds.length + (spec.retrieval ? pairs : 0));
}

/**
 * Runs the grid a spec describes with the registered steps. Every cell has a stable key
 * (hash of its config, including the versions of the steps it depends on); cells found in
 * the cache are read, everything else is computed and cached, so a rerun computes only
 * what changed.
 */
export async function runExperiment(spec: ExperimentSpec, steps: StepRegistry, options: RunOptions): Promise<ExperimentReport> {
  validateSpec(spec, steps);
  const cache = new ArtefactCache(options.cacheDir);
  const stats = emptyStats();
  const records: CellRecord[] = [];
  const bar = options.progress === false
    ? undefined
    : new ProgressBar({ total: gridSize(spec), label: spec.name, unit: 'cell', ...(options.progress ? { stream: options.progress } : {}) });
  const ctx: RunContext = {
    spec,
    steps,
    cache,
    features: new FeatureProvider(steps, cache, stats),
    stats,
    records,
    tick: (cell) => bar?.tick(1, { at: `${cell.dataset}/${cell.method}`, cached: stats.cellsCached }),
  };
  for (const dataset of spec.datasets) {
    // A fresh provider per dataset: features of finished datasets can be garbage-collected.
    ctx.features = new FeatureProvider(steps, cache, stats);
    if (spec.retrieval) await runRetrievalCells(ctx, dataset, spec.retrieval.ks ?? [1, 5]);
    for (const seed of spec.seeds) {
      for (const head of spec.heads ?? []) await runHeadCells(ctx, dataset, seed, head);
      for (const learner of spec.learners ?? []) {
        for (const shots of learner.shots) await runLearnerCells(ctx, dataset, seed, learner, shots);
      }
    }
  }
  bar?.finish();
  const { verdicts, flips } = analyse(spec, records);
  return { format: 'hotplug-bench-report', formatVersion: 1, name: spec.name, spec, stats, cells: records.map((r) => r.result), verdicts, flips };
}
