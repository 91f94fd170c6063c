import { compatibilityVerdict, type CompatibilityVerdict } from '../metrics/compatibility';
import { negativeFlips, type FlipCounts } from '../metrics/flips';
import type { CellRecord, CellResult, TaskKind } from './results';
import type { ExperimentSpec } from './spec';

/** Which method/dataset/seed/shots a figure belongs to. */
export interface GroupId {
  task: TaskKind;
  method: string;
  dataset: string;
  seed: number | null;
  shots?: number;
}

/** The compatibility criterion applied to one upgrade of one module. */
export interface VerdictRow extends GroupId {
  metric: string;
  old: string;
  new: string;
  /** The system that replaces `old` as the query side: `new` itself or an adapted version of it. */
  upgraded: string;
  oldOld: number;
  upgradedOld: number | null;
  newNew: number | null;
  verdict: CompatibilityVerdict;
}

/** Per-sample changes between the old system and an upgraded one. */
export interface FlipRow extends GroupId, FlipCounts {
  old: string;
  upgraded: string;
  /** hot-plug: upgraded features into the old module; retrained: new features into a module retrained on them. */
  mode: 'hot-plug' | 'retrained';
}

const METRICS: Record<TaskKind, string[]> = { head: ['accuracy'], learner: ['accuracy'], retrieval: ['top1', 'mAP'] };

function groupKey(c: GroupId): string {
  return JSON.stringify([c.task, c.method, c.dataset, c.seed, c.shots ?? null]);
}

function groupOf(c: CellResult): GroupId {
  return { task: c.task, method: c.method, dataset: c.dataset, seed: c.seed, ...(c.shots !== undefined ? { shots: c.shots } : {}) };
}

/** Verdicts and flip rates for every comparison in the spec, from the grid's cells. */
export function analyse(spec: ExperimentSpec, records: CellRecord[]): { verdicts: VerdictRow[]; flips: FlipRow[] } {
  const groups = new Map<string, { id: GroupId; cells: Map<string, CellRecord> }>();
  for (const r of records) {
    const k = groupKey(r.result);
    if (!groups.has(k)) groups.set(k, { id: groupOf(r.result), cells: new Map() });
    groups.get(k)!.cells.set(`${r.result.query}|${r.result.reference}`, r);
  }
  const verdicts: VerdictRow[] = [];
  const flips: FlipRow[] = [];
  for (const { id, cells } of groups.values()) {
    const at = (query: string, reference: string) => cells.get(`${query}|${reference}`);
    const value = (rec: CellRecord | undefined, metric: string) =>
      rec && rec.result.status === 'ok' ? rec.result.metrics[metric] ?? null : null;
    for (const c of spec.comparisons) {
      const base = at(c.old, c.old);
      if (!base || base.result.status !== 'ok') continue;
      const upgrades = [c.new, ...(c.adapted ?? [])];
      for (const metric of METRICS[id.task]) {
        const oldOld = value(base, metric)!;
        const newNew = value(at(c.new, c.new), metric);
        for (const upgraded of upgrades) {
          // A pair the grid left out (a learner limited to some systems) has no verdict; an
          // incompatible one does ("cannot run").
          if (!at(upgraded, c.old)) continue;
          const upgradedOld = value(at(upgraded, c.old), metric);
          const verdict = compatibilityVerdict({ oldOld, newOld: upgradedOld ?? undefined, ...(newNew !== null ? { newNew } : {}) });
          verdicts.push({ ...id, metric, old: c.old, new: c.new, upgraded, oldOld, upgradedOld, newNew, verdict });
        }
      }
      if (!base.predictions || !base.labels) continue;
      const flipAgainst = (rec: CellRecord | undefined, upgraded: string, mode: FlipRow['mode']) => {
        if (!rec?.predictions || !rec.labels) return;
        if (rec.labels.some((l, i) => l !== base.labels![i])) {
          throw new Error(`flip rate of "${upgraded}" against "${c.old}" on ${id.dataset}: the two systems were evaluated on different samples (labels differ); make their test splits identical`);
        }
        flips.push({ ...id, old: c.old, upgraded, mode, ...negativeFlips(base.predictions!, rec.predictions, base.labels!) });
      };
      for (const upgraded of upgrades) flipAgainst(at(upgraded, c.old), upgraded, 'hot-plug');
      flipAgainst(at(c.new, c.new), c.new, 'retrained');
    }
  }
  return { verdicts, flips };
}
