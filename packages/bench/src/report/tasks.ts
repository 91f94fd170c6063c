import type { ExperimentReport } from '../harness/harness';
import type { TaskVerdictRow } from '../tasks/verdicts';
import { marginPlusMinus, type CellState } from './lead';
import { pct, systemLabel } from './summary';

/**
 * The downstream-task evaluation of a run (TaCA's protocol: every task, the old model's
 * modules, each upgraded system's features): what an application attaches to its report
 * (apps/bench fills it after the grid), the writers render and the JSON report carries.
 */
export interface DownstreamTasksSection {
  /** Tasks in the order evaluated, with the items each scored. */
  tasks: { task: string; items: number }[];
  verdicts: TaskVerdictRow[];
}

/** A report, optionally with its downstream tasks. */
export type ReportWithTasks = ExperimentReport & { tasks?: DownstreamTasksSection };

const MODULE_NAME: Record<TaskVerdictRow['module'], string> = { 'linear-probe': 'linear probe', 'zero-shot': 'zero-shot', retrieval: 'retrieval' };

/** Module names as the table shows them (retrieval says which side is the old model's). */
export function taskModuleName(r: Pick<TaskVerdictRow, 'module' | 'kind'>): string {
  if (r.module === 'retrieval') return r.kind === 'text-retrieval' ? 'old text queries → gallery' : 'queries → old gallery';
  return r.kind === 'multi-label' && r.module === 'linear-probe' ? 'one-vs-rest probes' : MODULE_NAME[r.module];
}

export interface TaskTableCell {
  state: CellState;
  text: string;
  reason?: string;
}

/** Rows: task × module; columns: every (old, upgraded) pair; cells: margin ± half the interval, in points. */
export interface TaskTable {
  header: string[];
  columns: { old: string; upgraded: string; label: string }[];
  rows: { task: string; module: string; metric: string; oldOld: string; cells: TaskTableCell[] }[];
}

export function taskTable(report: ReportWithTasks): TaskTable {
  const verdicts = report.tasks?.verdicts ?? [];
  const columns: TaskTable['columns'] = [];
  const seen = new Set<string>();
  for (const v of verdicts) {
    const key = `${v.old}|${v.upgraded}`;
    if (seen.has(key)) continue;
    seen.add(key);
    columns.push({ old: v.old, upgraded: v.upgraded, label: systemLabel(report, v.upgraded) });
  }
  const multiOld = new Set(columns.map((c) => c.old)).size > 1;
  if (multiOld) for (const c of columns) c.label = `${systemLabel(report, c.old)} → ${c.label}`;
  const rows = new Map<string, TaskTable['rows'][number]>();
  for (const v of verdicts) {
    const key = `${v.task}|${v.module}|${multiOld ? '' : v.old}`;
    if (!rows.has(key))
      rows.set(key, {
        task: `${v.task} (${v.items} items)`,
        module: taskModuleName(v),
        metric: v.metric,
        oldOld: pct(v.oldOld),
        cells: columns.map(() => ({ state: 'n/a' as const, text: 'n/a', reason: 'not evaluated' })),
      });
    const cell: TaskTableCell =
      v.verdict.verdict === 'cannot run'
        ? { state: 'n/a', text: 'n/a', reason: v.reason ?? v.verdict.summary }
        : { state: v.verdict.verdict, text: marginPlusMinus(v.verdict) };
    rows.get(key)!.cells[columns.findIndex((c) => c.old === v.old && c.upgraded === v.upgraded)] = cell;
  }
  return { header: ['task', 'module', 'metric', 'M(old, old)', ...columns.map((c) => c.label)], columns, rows: [...rows.values()] };
}

export const TASKS_INTRO =
  "TaCA's protocol: the old model's modules (its linear probe on the train half, its zero-shot classifier, its gallery, its text encoder's caption queries) fed each system's image features; M(old, old) in %, each cell M(system, old) − M(old, old) in points ± half the paired-bootstrap interval over test items (n/a: the module cannot read that width).";
