import type { ExperimentReport } from '../harness/harness';
import type { VerdictRow } from '../harness/analysis';
import type { ContrastRow } from '../harness/contrasts';
import type { TaskKind } from '../harness/results';
import type { Verdict } from '../metrics/bootstrap';
import { pct, points, systemLabel } from './summary';
import { methodName } from './text';

// The tables a report opens with: the answer (modules × upgrades), the adapter ablation and
// the prompt learners against their paper's references. Both writers (Markdown, HTML) render
// these rows; nothing here formats for one of them.

/** A verdict cell's state: a verdict, or why there is none. */
export type CellState = Exclude<Verdict, 'cannot run'> | 'n/a';

/** One cell of the summary matrix. */
export interface SummaryCell {
  state: CellState;
  /** "+4.2 ± 1.3" (one decimal, points), or "n/a". */
  text: string;
  margin: number;
  interval?: { low: number; high: number; level: number };
  /** Why a cell is n/a: the harness's reason (e.g. the dimension mismatch), or "not in the grid". */
  reason?: string;
}

/** A module (row) of the summary matrix: one method on one dataset, at one metric. */
export interface SummaryRow {
  dataset: string;
  task: TaskKind;
  method: string;
  shots?: number;
  metric: string;
  label: string;
}

/** An upgrade (column): an old system replaced by a new or adapted one. */
export interface SummaryColumn {
  old: string;
  upgraded: string;
  label: string;
}

export interface SummaryMatrix {
  rows: SummaryRow[];
  columns: SummaryColumn[];
  /** cells[row][column]. */
  cells: SummaryCell[][];
  /** Distinct gists of the n/a reasons (reasonGist), numbered from 1 in order of appearance; a cell's note is reasons.indexOf(reasonGist(cell.reason)) + 1. */
  reasons: string[];
}

/**
 * "+4.2 ± 1.3": the margin and half the width of its interval, one decimal, in points. A
 * bootstrap interval need not be symmetric; where "margin ± half-width" would sit on another
 * side of 0 than the interval itself (so the text would contradict the verdict), the bounds
 * are written out instead: "+1.0 [+0.1, +2.3]".
 */
export function marginPlusMinus(v: { margin: number; interval?: { low: number; high: number } | undefined }): string {
  if (!Number.isFinite(v.margin)) return 'n/a';
  if (!v.interval) return `${points(v.margin)} ± ?`;
  const { low, high } = v.interval;
  const half = (high - low) / 2;
  const side = (x: number) => Math.sign(Math.round(x * 1000));
  const consistent = side(v.margin - half) === side(low) && side(v.margin + half) === side(high);
  return consistent ? `${points(v.margin)} ± ${(half * 100).toFixed(1)}` : `${points(v.margin)} [${points(low)}, ${points(high)}]`;
}

/** The one metric a module shows in the summary: mAP for retrieval (every rank counts), accuracy otherwise. */
function summaryMetric(task: TaskKind, metrics: string[]): string | undefined {
  if (task === 'retrieval') return metrics.includes('mAP') ? 'mAP' : metrics[0];
  return metrics.includes('accuracy') ? 'accuracy' : metrics[0];
}

const TASK_ORDER: Record<TaskKind, number> = { head: 0, retrieval: 1, learner: 2 };

/** Where a method sits in the spec (heads, retrieval, learners in spec order). */
function methodOrder(report: ExperimentReport, task: TaskKind, method: string): number {
  const list =
    task === 'head' ? (report.spec.heads ?? []).map((h) => h.id) : task === 'learner' ? (report.spec.learners ?? []).map((l) => l.id) : ['retrieval'];
  return TASK_ORDER[task] * 1000 + Math.max(0, list.indexOf(method));
}

function rowKey(r: { dataset: string; task: TaskKind; method: string; shots?: number }): string {
  return JSON.stringify([r.dataset, r.task, r.method, r.shots ?? null]);
}

/** The reason the harness recorded for an incompatible cell, if any. */
function incompatibleReason(report: ExperimentReport, row: SummaryRow, query: string, reference: string): string | undefined {
  const c = report.cells.find(
    (x) =>
      x.status !== 'ok' &&
      x.dataset === row.dataset &&
      x.task === row.task &&
      x.method === row.method &&
      (x.shots ?? null) === (row.shots ?? null) &&
      x.query === query &&
      x.reference === reference,
  );
  return c ? (c.reason ?? 'the module cannot take these features') : undefined;
}

/**
 * Modules × upgrades: rows are each method on each dataset (learners at their largest shot
 * count), columns each upgrade the spec's comparisons name, cells the verdict of
 * M(upgraded, old) − M(old, old) with its interval.
 */
export function summaryMatrix(report: ExperimentReport): SummaryMatrix {
  const name = (id: string) => systemLabel(report, id);
  // Learners at their largest shot count only: the other counts are in the prompt-learner tables.
  const maxShots = new Map<string, number>();
  for (const v of report.verdicts) {
    if (v.shots === undefined) continue;
    const k = `${v.dataset}|${v.method}`;
    maxShots.set(k, Math.max(maxShots.get(k) ?? -1, v.shots));
  }
  const shown = report.verdicts.filter((v) => v.shots === undefined || v.shots === maxShots.get(`${v.dataset}|${v.method}`));
  const metricsByRow = new Map<string, Set<string>>();
  for (const v of shown) {
    const k = rowKey(v);
    if (!metricsByRow.has(k)) metricsByRow.set(k, new Set());
    metricsByRow.get(k)!.add(v.metric);
  }
  const rowsByKey = new Map<string, SummaryRow>();
  for (const v of shown) {
    const k = rowKey(v);
    const metric = summaryMetric(v.task, [...metricsByRow.get(k)!]);
    if (rowsByKey.has(k) || metric === undefined) continue;
    // Short labels (the matrix must fit one screen): "linear head", "retrieval (mAP)", "coop, 16-shot", "zero-shot".
    const label =
      v.task === 'learner'
        ? `${v.method}${v.shots ? `, ${v.shots}-shot` : ''}`
        : `${methodName(v.task, v.method)}${v.task === 'retrieval' ? ` (${metric})` : ''}`;
    rowsByKey.set(k, { dataset: v.dataset, task: v.task, method: v.method, ...(v.shots !== undefined ? { shots: v.shots } : {}), metric, label });
  }
  const datasets = report.spec.datasets;
  const rows = [...rowsByKey.values()].sort(
    (a, b) => datasets.indexOf(a.dataset) - datasets.indexOf(b.dataset) || methodOrder(report, a.task, a.method) - methodOrder(report, b.task, b.method),
  );

  const columns: SummaryColumn[] = [];
  const olds = new Set(report.spec.comparisons.map((c) => c.old));
  for (const c of report.spec.comparisons) {
    for (const upgraded of [c.new, ...(c.adapted ?? [])]) {
      if (columns.some((x) => x.old === c.old && x.upgraded === upgraded)) continue;
      // Name the old system only when the report judges more than one.
      columns.push({ old: c.old, upgraded, label: olds.size > 1 ? `${name(c.old)} → ${name(upgraded)}` : name(upgraded) });
    }
  }

  // Notes are numbered by gist; each cell keeps its full reason.
  const reasons: string[] = [];
  const note = (reason: string) => {
    const gist = reasonGist(reason);
    if (!reasons.includes(gist)) reasons.push(gist);
    return reason;
  };
  const cells = rows.map((row) =>
    columns.map((col): SummaryCell => {
      const v = shown.find((x) => rowKey(x) === rowKey(row) && x.metric === row.metric && x.old === col.old && x.upgraded === col.upgraded);
      if (!v) {
        const only = row.task === 'learner' ? report.spec.learners?.find((l) => l.id === row.method)?.systems : undefined;
        return {
          state: 'n/a',
          text: 'n/a',
          margin: NaN,
          reason: note(
            only
              ? `not run: ${row.method} is trained and evaluated on ${only.map(name).join(', ')} only (its spec's systems)`
              : `not in the grid: ${row.method} has no cell for this upgrade`,
          ),
        };
      }
      if (v.verdict.verdict === 'cannot run') {
        const reason = incompatibleReason(report, row, col.upgraded, col.old) ?? 'the old module cannot take these features';
        return { state: 'n/a', text: 'n/a', margin: NaN, reason: note(reason) };
      }
      return {
        state: v.verdict.verdict,
        text: marginPlusMinus(v.verdict),
        margin: v.verdict.margin,
        ...(v.verdict.interval ? { interval: v.verdict.interval } : {}),
      };
    }),
  );
  return { rows, columns, cells, reasons };
}

/**
 * The gist of an n/a reason for notes under a table: its first sentence without the quoted
 * model names, so that one note covers every system with the same mismatch (the full text stays
 * in the cell's tooltip and the JSON report).
 */
export function reasonGist(reason: string): string {
  const first = reason.split(/(?<=\.)\s/)[0] ?? reason;
  return first.replace(/\s*\(model "[^"]*"\)/g, '').replace(/\.$/, '');
}

/** Counts of each verdict state. */
export type VerdictCounts = Record<CellState, number>;

/** One adapter variant in the ablation table. */
export interface AblationRow {
  system: string;
  label: string;
  adapter: string;
  trainableParameters?: number;
  trainingMinutes?: number;
  note?: string;
  /** The variant itself and its replicates (other adapter seeds). */
  adapterSeeds: number;
  counts: VerdictCounts;
  /** Verdicts over every module of the summary matrix, in its row order. */
  cells: SummaryCell[];
}

/** The adapted systems of the comparisons, side by side: what they cost and what they keep working. */
export function ablationRows(report: ExperimentReport, matrix = summaryMatrix(report)): AblationRow[] {
  const out: AblationRow[] = [];
  matrix.columns.forEach((col, ci) => {
    const system = report.spec.systems.find((s) => s.id === col.upgraded);
    if (!system?.adapter || out.some((r) => r.system === system.id)) return;
    const facts = report.adapters?.[system.adapter] ?? {};
    const cells = matrix.cells.map((row) => row[ci]!);
    const counts: VerdictCounts = { compatible: 0, inconclusive: 0, 'not compatible': 0, 'n/a': 0 };
    for (const c of cells) counts[c.state]++;
    out.push({
      system: system.id,
      label: col.label,
      adapter: system.adapter,
      ...(facts.trainableParameters !== undefined ? { trainableParameters: facts.trainableParameters } : {}),
      ...(facts.trainingMinutes !== undefined ? { trainingMinutes: facts.trainingMinutes } : {}),
      ...(facts.note !== undefined ? { note: facts.note } : {}),
      adapterSeeds: 1 + report.spec.systems.filter((s) => s.replicateOf === system.id).length,
      counts,
      cells,
    });
  });
  return out;
}

/** "12,345" or "n/a". */
export function countLabel(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

/** "3.2" minutes or "n/a". */
export function minutesLabel(m: number | undefined): string {
  return m === undefined || !Number.isFinite(m) ? 'n/a' : m.toFixed(1);
}

/** A margin with its interval and answer, from a verdict row or a contrast. */
export interface ReferenceComparison {
  text: string;
  state: CellState;
  margin: number;
  interval?: { low: number; high: number; level: number };
  /** What M(b) was (the reference's figure), for the table. */
  reference?: number;
  /** The reference's method (for "vs <method> on new"). */
  referenceMethod?: string;
}

/** One prompt learner trained on old and plugged into new, against the ContCoOp paper's two references. */
export interface PromptRow {
  dataset: string;
  learner: string;
  shots: number;
  old: string;
  new: string;
  /** M(old, old): trained and evaluated on old. */
  onOld?: number;
  /** M(new, old): trained on old, plugged into new. */
  pluggedIntoNew?: number;
  /** Against the new model's own zero-shot (a spec contrast whose b side is another method on new, new). */
  vsNewZeroShot?: ReferenceComparison;
  /** Against the same learner on old: the verdict's margin. */
  vsSameOnOld?: ReferenceComparison;
}

const ANSWER_STATE: Record<ContrastRow['answer'], CellState> = {
  'a higher': 'compatible',
  'a lower': 'not compatible',
  inconclusive: 'inconclusive',
  'cannot run': 'n/a',
};

function fromVerdict(v: VerdictRow): ReferenceComparison {
  const state: CellState = v.verdict.verdict === 'cannot run' ? 'n/a' : v.verdict.verdict;
  return {
    text: marginPlusMinus(v.verdict),
    state,
    margin: v.verdict.margin,
    ...(v.verdict.interval ? { interval: v.verdict.interval } : {}),
    reference: v.oldOld,
  };
}

function fromContrast(c: ContrastRow): ReferenceComparison {
  return {
    text: marginPlusMinus(c),
    state: ANSWER_STATE[c.answer],
    margin: c.margin,
    ...(c.interval ? { interval: c.interval } : {}),
    ...(c.valueB !== null ? { reference: c.valueB } : {}),
    referenceMethod: c.b.method,
  };
}

/**
 * Prompt learners (every learner with a positive shot count) at their largest shot count, per
 * dataset and comparison: on old, plugged into new, against the new model's zero-shot (from a
 * spec contrast a = {learner, new, old}, b = {other method, new, new}) and against the same
 * learner on old (the verdict of the upgrade to new).
 */
export function promptRows(report: ExperimentReport): PromptRow[] {
  const out: PromptRow[] = [];
  for (const dataset of report.spec.datasets) {
    for (const l of report.spec.learners ?? []) {
      const shots = Math.max(...l.shots);
      if (shots <= 0) continue; // zero-shot: a reference, not a learner trained on old
      for (const c of report.spec.comparisons) {
        const v = report.verdicts.find(
          (x) => x.task === 'learner' && x.dataset === dataset && x.method === l.id && x.shots === shots && x.old === c.old && x.upgraded === c.new,
        );
        if (!v) continue;
        const zs = report.contrasts.find(
          (x) =>
            x.dataset === dataset &&
            x.a.method === l.id &&
            x.a.query === c.new &&
            x.a.reference === c.old &&
            (x.a.shots === undefined || x.a.shots === shots) &&
            x.b.method !== l.id &&
            x.b.query === c.new &&
            x.b.reference === c.new,
        );
        out.push({
          dataset,
          learner: l.id,
          shots,
          old: c.old,
          new: c.new,
          onOld: v.oldOld,
          ...(v.upgradedOld !== null ? { pluggedIntoNew: v.upgradedOld } : {}),
          ...(zs ? { vsNewZeroShot: fromContrast(zs) } : {}),
          vsSameOnOld: fromVerdict(v),
        });
      }
    }
  }
  return out;
}

/** "+4.2 ± 3.1 (higher)", or "n/a (cannot run: …)" for a side that cannot run. */
function referenceText(c: ReferenceComparison): string {
  if (c.state === 'n/a') return 'n/a (cannot run: the learner cannot take the new features)';
  return `${c.text} (${c.state === 'compatible' ? 'higher' : c.state === 'not compatible' ? 'lower' : c.state})`;
}

/** The prompt-learner table as text cells (shared by both writers): header, then rows. */
export function promptTable(
  report: ExperimentReport,
  rows = promptRows(report),
): { header: string[]; rows: { cells: string[]; states: (CellState | undefined)[] }[] } {
  const name = (id: string) => systemLabel(report, id);
  const header = [
    'dataset',
    'learner',
    'shots',
    'trained on → plugged into',
    'on old',
    'plugged into new',
    "new model's zero-shot",
    'vs new zero-shot',
    'vs same learner on old',
  ];
  return {
    header,
    rows: rows.map((r) => ({
      cells: [
        r.dataset,
        r.learner,
        String(r.shots),
        `${name(r.old)} → ${name(r.new)}`,
        pct(r.onOld),
        pct(r.pluggedIntoNew),
        pct(r.vsNewZeroShot?.reference),
        r.vsNewZeroShot ? referenceText(r.vsNewZeroShot) : 'n/a (no contrast: add promptLearnerContrasts(spec) to spec.contrasts)',
        r.vsSameOnOld ? referenceText(r.vsSameOnOld) : 'n/a',
      ],
      states: [undefined, undefined, undefined, undefined, undefined, undefined, undefined, r.vsNewZeroShot?.state, r.vsSameOnOld?.state],
    })),
  };
}

/** The ablation table as text cells (shared by both writers). */
export function ablationTable(rows: AblationRow[]): { header: string[]; rows: string[][] } {
  return {
    header: ['variant', 'adapter', 'trainable parameters', 'training minutes', 'adapter seeds', 'compatible', 'inconclusive', 'not compatible', 'n/a', 'note'],
    rows: rows.map((r) => [
      r.label,
      r.adapter,
      countLabel(r.trainableParameters),
      minutesLabel(r.trainingMinutes),
      String(r.adapterSeeds),
      String(r.counts.compatible),
      String(r.counts.inconclusive),
      String(r.counts['not compatible']),
      String(r.counts['n/a']),
      r.note ?? '',
    ]),
  };
}

/** How to read the summary matrix, in one sentence (both writers). */
export function summaryNote(report: ExperimentReport): string {
  const lvl = Math.round((report.spec.bootstrap?.level ?? 0.95) * 100);
  return (
    `Each cell: M(upgraded, old) − M(old, old) in points ± half the width of its ${lvl} % paired-bootstrap interval (the bounds themselves where the interval is too lopsided for ±; every bound is in the verdict table); ` +
    'compatible: the interval lies above 0; not compatible: below 0; inconclusive: it holds 0. Learners at their largest shot count; retrieval by mAP.'
  );
}
