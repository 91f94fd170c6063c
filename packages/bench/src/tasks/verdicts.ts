import type { TaskKind } from '@hotplug/data';
import { InputError } from '@hotplug/runtime';
import { marginInterval, resampledMarginInterval, type BootstrapOptions, type MarginInterval } from '../metrics/bootstrap';
import { compatibilityVerdict, type CompatibilityVerdict } from '../metrics/compatibility';
import type { TaskMetric, TaskModule, TaskModuleEvaluation, TaskSystemScore } from './evaluate';
import { classRankings, meanAveragePrecision, type MultiLabelScores } from './map';

/** The compatibility criterion on one task module for one system: M(system, old) − M(old, old) with a paired-bootstrap interval. */
export interface TaskVerdictRow {
  task: string;
  kind: TaskKind;
  module: TaskModule;
  metric: TaskMetric;
  /** The reference (old) system whose modules are used. */
  old: string;
  upgraded: string;
  /** The upgraded system and its replicates (other adapter seeds) pooled here, one training run each. */
  replicates: string[];
  oldOld: number;
  /** Mean over the replicates; null: the module cannot take the system's features. */
  upgradedOld: number | null;
  items: number;
  chance: number;
  verdict: CompatibilityVerdict;
  /** Why the module cannot run (value null). */
  reason?: string;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Verdicts of every non-reference system of each evaluation. Accuracy and recall@1 are means
 * of per-item figures: marginInterval pairs them item by item. Class-wise mAP ranks all items
 * per class, so it is recomputed on each resample of items (resampledMarginInterval), the
 * same items for both systems. `replicates[id]` names other training runs of system `id`
 * (adapter seeds, listed among the evaluation's systems): they are pooled into id's row as
 * more runs (resampled before the items, as the grid's verdicts do) and get no row of their own.
 */
export function taskVerdicts(
  evaluations: readonly TaskModuleEvaluation[],
  options: BootstrapOptions = {},
  replicates: Readonly<Record<string, readonly string[]>> = {},
): TaskVerdictRow[] {
  const pooled = new Set(Object.values(replicates).flat());
  const out: TaskVerdictRow[] = [];
  for (const e of evaluations) {
    const ref = e.systems.find((s) => s.system === e.reference);
    if (!ref || ref.value === null) throw new InputError(`task ${e.task} ${e.module}: the reference system "${e.reference}" has no figure of its own`);
    const refMl = multiLabel(e, ref.scores);
    const refRank = refMl ? classRankings(refMl) : undefined;
    for (const s of e.systems) {
      if (s.system === e.reference || pooled.has(s.system)) continue;
      const runs: TaskSystemScore[] = [s];
      for (const id of replicates[s.system] ?? []) {
        const r = e.systems.find((x) => x.system === id);
        if (!r) throw new InputError(`task ${e.task} ${e.module}: replicate "${id}" of "${s.system}" was not evaluated; list it among the systems`);
        runs.push(r);
      }
      const blocked = runs.find((r) => r.value === null);
      const seed = [options.seed ?? 0, 'task', e.task, e.module, e.metric, e.reference, s.system].join('/');
      const boot = { ...options, seed };
      let interval: MarginInterval | undefined;
      if (!blocked) {
        if (refMl) {
          const ml = runs.map((r) => multiLabel(e, r.scores)!);
          const ranks = ml.map((m) => classRankings(m));
          const weights = new Int32Array(e.items);
          interval = resampledMarginInterval(
            e.items,
            (items, picks) => {
              if (items) {
                weights.fill(0);
                for (const i of items) weights[i]!++;
              }
              const w = items ? weights : undefined;
              const base = meanAveragePrecision(refMl, refRank, w);
              const chosen = picks ? Array.from(picks) : ml.map((_, k) => k);
              return mean(chosen.map((k) => meanAveragePrecision(ml[k]!, ranks[k], w) - base));
            },
            { ...boot, runs: runs.length },
          );
        } else {
          if (!ref.perItem || runs.some((r) => !r.perItem))
            throw new InputError(`task ${e.task} ${e.module}: per-item figures are missing; re-evaluate the task`);
          interval = marginInterval(
            runs.map((r) => ({ old: ref.perItem!, upgraded: r.perItem! })),
            boot,
          );
        }
      }
      const upgradedOld = blocked ? null : mean(runs.map((r) => r.value!));
      out.push({
        task: e.task,
        kind: e.kind,
        module: e.module,
        metric: e.metric,
        old: e.reference,
        upgraded: s.system,
        replicates: runs.map((r) => r.system),
        oldOld: ref.value,
        upgradedOld,
        items: e.items,
        chance: e.chance,
        verdict: compatibilityVerdict({ oldOld: ref.value, newOld: upgradedOld ?? undefined, ...(interval ? { interval } : {}) }),
        ...(blocked?.reason ? { reason: blocked.reason } : {}),
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
