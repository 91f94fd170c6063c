import { InputError } from '@hotplug/runtime';
import { marginInterval, resampledMarginInterval, type BootstrapOptions } from '../metrics/bootstrap';
import { compatibilityVerdict, type CompatibilityVerdict } from '../metrics/compatibility';
import type { TaskModule, TaskModuleEvaluation, TaskMetric } from './evaluate';
import { classRankings, meanAveragePrecision, type MultiLabelScores } from './map';
import type { TaskKind } from '@hotplug/data';

/** The compatibility criterion on one task module for one system: M(system, old) − M(old, old) with a paired-bootstrap interval. */
export interface TaskVerdictRow {
  task: string;
  kind: TaskKind;
  module: TaskModule;
  metric: TaskMetric;
  /** The reference (old) system whose modules are used. */
  old: string;
  upgraded: string;
  oldOld: number;
  /** null: the module cannot take the system's features. */
  upgradedOld: number | null;
  items: number;
  chance: number;
  verdict: CompatibilityVerdict;
  /** Why the module cannot run (value null). */
  reason?: string;
}

/**
 * Verdicts of every non-reference system of each evaluation. Accuracy and recall@1 are means
 * of per-item figures: marginInterval pairs them item by item. Class-wise mAP ranks all items
 * per class, so it is recomputed on each resample of items (resampledMarginInterval), the
 * same items for both systems. Deterministic scores: one run each.
 */
export function taskVerdicts(evaluations: readonly TaskModuleEvaluation[], options: BootstrapOptions = {}): TaskVerdictRow[] {
  const out: TaskVerdictRow[] = [];
  for (const e of evaluations) {
    const ref = e.systems.find((s) => s.system === e.reference);
    if (!ref || ref.value === null) throw new InputError(`task ${e.task} ${e.module}: the reference system "${e.reference}" has no figure of its own`);
    const refMl = multiLabel(e, ref.scores);
    const refRank = refMl ? classRankings(refMl) : undefined;
    for (const s of e.systems) {
      if (s.system === e.reference) continue;
      const seed = [options.seed ?? 0, 'task', e.task, e.module, e.metric, e.reference, s.system].join('/');
      const boot = { ...options, seed };
      let interval: ReturnType<typeof marginInterval> | undefined;
      if (s.value !== null) {
        if (refMl) {
          const ml = multiLabel(e, s.scores)!;
          const rank = classRankings(ml);
          const weights = new Int32Array(e.items);
          interval = resampledMarginInterval(
            e.items,
            (items) => {
              if (!items) return meanAveragePrecision(ml, rank) - meanAveragePrecision(refMl, refRank);
              weights.fill(0);
              for (const i of items) weights[i]!++;
              return meanAveragePrecision(ml, rank, weights) - meanAveragePrecision(refMl, refRank, weights);
            },
            boot,
          );
        } else {
          if (!ref.perItem || !s.perItem) throw new InputError(`task ${e.task} ${e.module}: per-item figures are missing; re-evaluate the task`);
          interval = marginInterval([{ old: ref.perItem, upgraded: s.perItem }], boot);
        }
      }
      out.push({
        task: e.task,
        kind: e.kind,
        module: e.module,
        metric: e.metric,
        old: e.reference,
        upgraded: s.system,
        oldOld: ref.value,
        upgradedOld: s.value,
        items: e.items,
        chance: e.chance,
        verdict: compatibilityVerdict({ oldOld: ref.value, newOld: s.value ?? undefined, ...(interval ? { interval } : {}) }),
        ...(s.reason ? { reason: s.reason } : {}),
      });
    }
  }
  return out;
}

function multiLabel(e: TaskModuleEvaluation, scores: number[] | undefined): MultiLabelScores | undefined {
  if (e.metric !== 'mAP') return undefined;
  if (!scores || !e.targets || e.classes === undefined) throw new InputError(`task ${e.task} ${e.module}: class scores are missing; re-evaluate the task`);
  return { rows: e.items, classes: e.classes, scores, targets: e.targets };
}
