import { ProgressBar } from '@hotplug/runtime';
import { analyse, type FlipRow, type VerdictRow } from './analysis';
import { contrasts, type ContrastRow } from './contrasts';
import { ArtefactCache } from './cache';
import { learnerPairs, systemPairs, type RunContext } from './context';
import { FeatureProvider } from './features';
import { emptyStats, type CellResult, type CellRecord, type RunStats } from './results';
import { runHeadCells } from './run-heads';
import { runLearnerCells } from './run-learners';
import { runRetrievalCells } from './run-retrieval';
import { isSeededHead, validateSpec, type ExperimentSpec, type LearnerSpec } from './spec';
import type { AdapterFacts, StepRegistry } from './steps';

/** Everything a run produced: the machine-readable report the JSON/Markdown/HTML writers take. */
export interface ExperimentReport {
  format: 'hotplug-bench-report';
  /** 2: verdicts pool seeds and carry a paired-bootstrap interval; deterministic cells have seed null. */
  formatVersion: 2;
  name: string;
  spec: ExperimentSpec;
  stats: RunStats;
  cells: CellResult[];
  verdicts: VerdictRow[];
  /** spec.contrasts evaluated per dataset (empty without any). */
  contrasts: ContrastRow[];
  flips: FlipRow[];
  /**
   * Facts of each adapter the systems name (AdapterStep.facts, by adapter name), for the
   * ablation table; an application may also fill it after the run. Absent figures show as n/a.
   */
  adapters?: Record<string, AdapterFacts>;
}

/** How to run an experiment. */
export interface RunOptions {
  /** Where features, trained modules and cell results are cached; a rerun reuses them. */
  cacheDir: string;
  /** Progress bar stream (default stderr); false for none. */
  progress?: NodeJS.WritableStream | false;
}

/**
 * Number of grid cells a spec describes. Seeded heads and learners count once per seed;
 * deterministic ones (kNN, learners with `seeded: false`) and retrieval once; pass the
 * steps to know which learners are deterministic (without them every learner counts as seeded).
 */
export function gridSize(spec: ExperimentSpec, steps?: StepRegistry): number {
  const pairs = systemPairs(spec).length;
  const seeds = spec.seeds.length;
  const heads = (spec.heads ?? []).reduce((n, h) => n + pairs * (isSeededHead(h) ? seeds : 1), 0);
  const learners = (spec.learners ?? []).reduce((n, l) => n + l.shots.length * learnerPairs(spec, l).length * (isSeededLearner(l, steps) ? seeds : 1), 0);
  return spec.datasets.length * (heads + learners + (spec.retrieval ? pairs : 0));
}

function isSeededLearner(spec: LearnerSpec, steps?: StepRegistry): boolean {
  return steps?.learners.get(spec.learner)?.seeded ?? true;
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
  const bar =
    options.progress === false
      ? undefined
      : new ProgressBar({ total: gridSize(spec, steps), label: spec.name, unit: 'cell', ...(options.progress ? { stream: options.progress } : {}) });
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
    // Deterministic modules once (seed null): three identical runs would be one measurement counted three times.
    for (const head of spec.heads ?? []) if (!isSeededHead(head)) await runHeadCells(ctx, dataset, null, head);
    for (const learner of spec.learners ?? []) {
      if (!isSeededLearner(learner, steps)) for (const shots of learner.shots) await runLearnerCells(ctx, dataset, null, learner, shots);
    }
    for (const seed of spec.seeds) {
      for (const head of spec.heads ?? []) if (isSeededHead(head)) await runHeadCells(ctx, dataset, seed, head);
      for (const learner of spec.learners ?? []) {
        if (isSeededLearner(learner, steps)) for (const shots of learner.shots) await runLearnerCells(ctx, dataset, seed, learner, shots);
      }
    }
  }
  bar?.finish();
  const { verdicts, flips } = analyse(spec, records);
  const adapters: Record<string, AdapterFacts> = {};
  for (const s of spec.systems) {
    const facts = s.adapter === undefined ? undefined : steps.adapters.get(s.adapter)?.facts;
    if (facts) adapters[s.adapter!] = { ...facts };
  }
  return {
    format: 'hotplug-bench-report',
    formatVersion: 2,
    name: spec.name,
    spec,
    stats,
    cells: records.map((r) => r.result),
    verdicts,
    contrasts: contrasts(spec, records),
    flips,
    ...(Object.keys(adapters).length ? { adapters } : {}),
  };
}
