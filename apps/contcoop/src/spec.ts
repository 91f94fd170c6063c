import type { BenchSpec } from '@hotplug/app-bench';
import { parseExperimentSpec } from '@hotplug/bench';
import { CONDITIONAL_LEARNERS, recipeFor, type TrainingFields } from './recipes';

/** What the `table` command covers, as data. */
export interface TableOptions {
  datasets: string[];
  learners: string[];
  shots: number[];
  seeds: number[];
  /** The models by system id: old and new, and optionally new-lineage (the continued-lineage upgrade). */
  systems: ('old' | 'new' | 'new-lineage')[];
  /** Command-line overrides of every learner's recipe. */
  train?: TrainingFields;
  /** Learner options by learner kind. */
  options?: Record<string, Record<string, unknown>>;
  /** Train images per dataset the few-shot examples are drawn from; test images per dataset (default all). */
  trainImages?: number;
  testImages?: number;
  /** Test images for learners whose prompts are per image (CoCoOp). */
  conditionalTestImages?: number;
}

const LABELS = { old: 'old', new: 'new', 'new-lineage': 'new-lineage (continued lineage)' } as const;

/**
 * The compatibility table as an apps/bench spec: every prompt learner trained few-shot on each
 * model and plugged into the others, the zero-shot reference on every model, the upgrades
 * old -> new (and old -> new-lineage). The harness adds ContCoOp's reference contrasts (each
 * learner plugged into new against new's own zero-shot) and the verdicts with intervals.
 */
export function tableSpec(o: TableOptions): BenchSpec {
  const learners = o.learners.map((kind) =>
    kind === 'zeroshot'
      ? { id: 'zero-shot', learner: 'zeroshot', shots: [0] }
      : {
          id: kind,
          learner: kind,
          shots: o.shots,
          systems: [...o.systems],
          ...(o.options?.[kind] ? { options: o.options[kind] } : {}),
          ...(CONDITIONAL_LEARNERS.includes(kind) && o.conditionalTestImages !== undefined ? { testItems: o.conditionalTestImages } : {}),
        },
  );
  const experiment = parseExperimentSpec(
    {
      name: `hotplug-contcoop table: prompt learners trained on one model, plugged into another (${o.systems.join(', ')})`,
      datasets: o.datasets,
      seeds: o.seeds,
      systems: o.systems.map((id) => ({ id, model: id, label: LABELS[id] })),
      learners,
      comparisons: o.systems.filter((s) => s !== 'old').map((s) => ({ old: 'old', new: s })),
      // Each model's own learners (the same learner on new is a reference) and old's plugged into the others; not new's into old.
      pairs: 'comparisons',
    },
    'hotplug-contcoop table',
  );
  const trained = o.learners.filter((k) => k !== 'zeroshot');
  const learnerTraining = Object.fromEntries(trained.map((k) => [k, recipeFor(k, o.train)]).filter(([, r]) => Object.keys(r as object).length > 0));
  return {
    experiment,
    data: { ...(o.trainImages !== undefined ? { trainImages: o.trainImages } : {}), ...(o.testImages !== undefined ? { testImages: o.testImages } : {}) },
    ...(Object.keys(learnerTraining).length ? { learnerTraining } : {}),
  };
}
