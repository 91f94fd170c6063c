import type { ExperimentReport } from '../harness/harness';
import type { CellResult, TaskKind } from '../harness/results';
import type { FlipRow, VerdictRow } from '../harness/analysis';
import type { Verdict } from '../metrics/bootstrap';
import type { ContrastRow } from '../harness/contrasts';
import type { CellSelector } from '../harness/spec';

/** Mean, sample standard deviation and count of the defined values. */
export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export function stat(values: number[]): Stat {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** A compatibility matrix (query rows × reference columns) of one method, averaged over seeds. */
export interface MatrixSummary {
  task: TaskKind;
  method: string;
  dataset: string;
  shots?: number;
  metric: string;
  systems: string[];
  /** values[q][r]: undefined where the pair is incompatible. */
  values: (Stat | undefined)[][];
  /** reasons[q][r]: why a cell is undefined (the harness's reason, e.g. the dimension mismatch). */
  reasons: (string | undefined)[][];
}

/** Primary metrics shown per task. */
export function metricsOf(task: TaskKind, cells: CellResult[]): string[] {
  if (task !== 'retrieval') return ['accuracy'];
  const keys = new Set<string>();
  for (const c of cells) for (const k of Object.keys(c.metrics)) keys.add(k);
  return [...keys].sort((a, b) => (a === 'mAP' ? 1 : b === 'mAP' ? -1 : a.localeCompare(b, 'en', { numeric: true })));
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(it);
  }
  return m;
}

/** Every compatibility matrix in a report, averaged over seeds. */
export function matrices(report: ExperimentReport): MatrixSummary[] {
  const out: MatrixSummary[] = [];
  for (const cells of groupBy(report.cells, (c) => JSON.stringify([c.task, c.method, c.dataset, c.shots ?? null])).values()) {
    const first = cells[0]!;
    // Only the systems this method ran on (a learner may be limited to some), in spec order.
    const ran = new Set(cells.flatMap((c) => [c.query, c.reference]));
    const systems = report.spec.systems.map((s) => s.id).filter((id) => ran.has(id));
    for (const metric of metricsOf(first.task, cells)) {
      const values = systems.map((q) =>
        systems.map((r) => {
          const here = cells.filter((c) => c.query === q && c.reference === r && c.status === 'ok');
          return here.length ? stat(here.map((c) => c.metrics[metric]!)) : undefined;
        }),
      );
      const reasons = systems.map((q) =>
        systems.map((r) => {
          const here = cells.filter((c) => c.query === q && c.reference === r);
          const bad = here.find((c) => c.status !== 'ok');
          return here.some((c) => c.status === 'ok') ? undefined : bad ? (bad.reason ?? 'the module cannot take these features') : 'not in the grid';
        }),
      );
      out.push({
        task: first.task,
        method: first.method,
        dataset: first.dataset,
        ...(first.shots !== undefined ? { shots: first.shots } : {}),
        metric,
        systems,
        values,
        reasons,
      });
    }
  }
  return out;
}

/** A verdict as the reports show it: figures over the training runs, the margin with its interval, the answer. */
export interface VerdictSummary {
  task: TaskKind;
  method: string;
  dataset: string;
  shots?: number;
  metric: string;
  old: string;
  upgraded: string;
  /** Over the module's seeds (one value for a deterministic module). */
  oldOld: Stat;
  /** Over every run (seeds × adapter replicates); undefined when the module cannot run. */
  upgradedOld: Stat | undefined;
  newNew: Stat | undefined;
  /** M(upgraded, old) − M(old, old) of the means; NaN when it cannot run. */
  margin: number;
  interval: { low: number; high: number; level: number } | undefined;
  verdict: Verdict;
  /** Random training runs pooled (0: deterministic, evaluated once). */
  randomRuns: number;
  items: number;
}

export function verdictSummaries(verdicts: VerdictRow[]): VerdictSummary[] {
  return verdicts.map((v) => {
    const perSeed = new Map(v.runs.map((r) => [r.seed, r]));
    const defined = (xs: (number | null)[]) => (xs.some((x) => x === null) || xs.length === 0 ? undefined : stat(xs as number[]));
    return {
      task: v.task,
      method: v.method,
      dataset: v.dataset,
      ...(v.shots !== undefined ? { shots: v.shots } : {}),
      metric: v.metric,
      old: v.old,
      upgraded: v.upgraded,
      oldOld: stat([...perSeed.values()].map((r) => r.oldOld)),
      upgradedOld: defined(v.runs.map((r) => r.upgradedOld)),
      newNew: defined([...perSeed.values()].map((r) => r.newNew)),
      margin: v.verdict.margin,
      interval: v.verdict.interval,
      verdict: v.verdict.verdict,
      randomRuns: v.randomRuns,
      items: v.items,
    };
  });
}

/** "+4.2 [+1.0, +7.5]": the margin in points with its interval; "n/a" when it cannot run. */
export function marginWithInterval(v: { margin: number; interval?: { low: number; high: number } | undefined }): string {
  if (!Number.isFinite(v.margin)) return 'n/a';
  return v.interval ? `${points(v.margin)} [${points(v.interval.low)}, ${points(v.interval.high)}]` : `${points(v.margin)} [no interval]`;
}

/** "3" random training runs, or "1 (deterministic)" for a module evaluated once. */
export function runsLabel(v: Pick<VerdictSummary, 'randomRuns'>): string {
  return v.randomRuns > 0 ? String(v.randomRuns) : '1 (deterministic)';
}

/** Negative-flip rates averaged over seeds. */
export interface FlipSummary {
  task: TaskKind;
  method: string;
  dataset: string;
  shots?: number;
  old: string;
  upgraded: string;
  mode: FlipRow['mode'];
  rate: Stat;
  relative: Stat;
}

export function flipSummaries(flips: FlipRow[]): FlipSummary[] {
  const groups = groupBy(flips, (f) => JSON.stringify([f.task, f.method, f.dataset, f.shots ?? null, f.old, f.upgraded, f.mode]));
  return [...groups.values()].map((rows) => {
    const f = rows[0]!;
    return {
      task: f.task,
      method: f.method,
      dataset: f.dataset,
      ...(f.shots !== undefined ? { shots: f.shots } : {}),
      old: f.old,
      upgraded: f.upgraded,
      mode: f.mode,
      rate: stat(rows.map((r) => r.negativeFlipRate)),
      relative: stat(rows.map((r) => r.relativeNegativeFlipRate)),
    };
  });
}

/** Label of a system for people (its `label`, else its id). */
export function systemLabel(report: ExperimentReport, id: string): string {
  return report.spec.systems.find((s) => s.id === id)?.label ?? id;
}

/** "42.0" for 0.42; "n/a" for undefined/NaN. */
export function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : (v * 100).toFixed(1);
}

/** "42.0 ± 1.3" (± only with more than one seed). */
export function pctStat(s: Stat | undefined): string {
  if (!s || s.n === 0) return 'n/a';
  return s.n > 1 ? `${pct(s.mean)} ± ${pct(s.std)}` : pct(s.mean);
}

/** Signed points: "+4.0" / "-2.5". */
export function points(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
}

/** "centroid, 4-shot: M(new model, old model)" — a contrast side for people. */
export function cellLabel(report: ExperimentReport, s: CellSelector): string {
  return `${s.method}${s.shots !== undefined ? `, ${s.shots}-shot` : ''}: M(${systemLabel(report, s.query)}, ${systemLabel(report, s.reference)})`;
}

/** The rows of a contrast table: dataset, contrast, both sides, both figures, margin [CI], runs, answer. */
export function contrastTableRows(report: ExperimentReport): string[][] {
  return report.contrasts.map((c: ContrastRow) => [
    c.dataset,
    c.label,
    cellLabel(report, c.a),
    cellLabel(report, c.b),
    pct(c.valueA ?? undefined),
    pct(c.valueB ?? undefined),
    marginWithInterval(c),
    runsLabel(c),
    c.answer,
  ]);
}

export const CONTRAST_HEADER = ['dataset', 'contrast', 'a', 'b', 'M(a)', 'M(b)', 'M(a) − M(b)', 'training runs', 'answer'];
