import type { ExperimentReport } from '../../harness/harness';
import { flipSummaries, matrices, systemLabel, type MatrixSummary } from '../summary';
import { level, methodName } from '../text';
import { barChart } from './bars';
import { heatMap } from './heatmap';
import { lineChart } from './lines';
import { niceMax } from './svg';

/** The system every module is judged against: the first comparison's old system. */
function oldSystem(report: ExperimentReport): string {
  return report.spec.comparisons[0]?.old ?? report.spec.systems[0]!.id;
}

function at(m: MatrixSummary, query: string, reference: string): number | undefined {
  const s = m.values[m.systems.indexOf(query)]?.[m.systems.indexOf(reference)];
  return s && s.n > 0 ? s.mean : undefined;
}

/** Shows each head/retrieval matrix once; learners only at their largest shot count. */
function shownMatrices(report: ExperimentReport): MatrixSummary[] {
  const all = matrices(report).filter((m) => m.task !== 'retrieval' || m.metric === 'mAP');
  const maxShots = new Map<string, number>();
  for (const m of all) if (m.shots !== undefined) maxShots.set(`${m.dataset}|${m.method}`, Math.max(maxShots.get(`${m.dataset}|${m.method}`) ?? 0, m.shots));
  return all.filter((m) => m.shots === undefined || m.shots === maxShots.get(`${m.dataset}|${m.method}`));
}

/** The margin's interval of M(upgraded, old) − M(old, old) placed around M(old, old): the whisker of the hot-plug bar. */
function hotPlugInterval(report: ExperimentReport, m: MatrixSummary, upgraded: string, old: string): { low: number; high: number } | undefined {
  if (upgraded === old) return undefined;
  const v = report.verdicts.find(
    (x) =>
      x.dataset === m.dataset &&
      x.task === m.task &&
      x.method === m.method &&
      (x.shots ?? null) === (m.shots ?? null) &&
      x.metric === m.metric &&
      x.old === old &&
      x.upgraded === upgraded,
  );
  const ci = v?.verdict.interval;
  return v && ci ? { low: v.oldOld + ci.low, high: v.oldOld + ci.high } : undefined;
}

/** Bars per system: the old module on its features (with the verdict's interval) against a module rebuilt on them, and a line at M(old, old). */
export function accuracyFigures(report: ExperimentReport): string[] {
  const old = oldSystem(report);
  const name = (id: string) => systemLabel(report, id);
  return shownMatrices(report)
    .filter((m) => m.task !== 'learner')
    .map((m) =>
      barChart({
        kind: 'accuracy-bars',
        title: `${m.dataset}: ${methodName(m.task, m.method)} — ${m.metric} per system`,
        caption:
          `Each system's ${m.metric} with the module built on ${name(old)} (hot-plug, no retraining) and with a module rebuilt on the system itself. ` +
          `Whiskers: M(old, old) + the ${level(report)} interval of the margin, so a whisker wholly above the dashed line at M(old, old) is a compatible upgrade. n/a: the old module cannot take that system's features.`,
        yLabel: m.metric,
        series: [`module built on ${name(old)}`, 'module rebuilt on the system'],
        groups: m.systems.map((s) => ({ label: name(s), values: [at(m, s, old), at(m, s, s)], intervals: [hotPlugInterval(report, m, s, old), undefined] })),
        ...(at(m, old, old) !== undefined ? { reference: { value: at(m, old, old)!, label: 'M(old, old)' } } : {}),
      }),
    );
}

/** The query × reference matrices, coloured relative to M(old, old). */
export function heatMapFigures(report: ExperimentReport): string[] {
  const name = (id: string) => systemLabel(report, id);
  const old = oldSystem(report);
  return shownMatrices(report).map((m) =>
    heatMap({
      reasons: m.reasons,
      ...(at(m, old, old) !== undefined ? { reference: { value: at(m, old, old)!, label: 'M(old, old)' } } : {}),
      title: `${m.dataset}: ${methodName(m.task, m.method, m.shots)} — ${m.metric} compatibility matrix`,
      caption: `Rows: the system that embeds the queries / test images. Columns: the system the ${m.task === 'retrieval' ? 'gallery' : 'module'} was built on. The diagonal is each system alone; off-diagonal cells are upgrades without retraining. Mean over seeds.`,
      rows: m.systems.map(name),
      cols: m.systems.map(name),
      values: m.systems.map((q) => m.systems.map((r) => at(m, q, r))),
    }),
  );
}

/** Accuracy against shot count for each learner: trained on old, evaluated on old (dashed) and on each upgrade. */
export function shotFigures(report: ExperimentReport): string[] {
  const name = (id: string) => systemLabel(report, id);
  const learners = matrices(report).filter((m) => m.task === 'learner');
  const out: string[] = [];
  for (const dataset of report.spec.datasets) {
    for (const c of report.spec.comparisons) {
      const series: { name: string; dashed?: boolean; points: { x: number; y: number }[] }[] = [];
      for (const l of report.spec.learners ?? []) {
        const ms = learners.filter((m) => m.dataset === dataset && m.method === l.id);
        const line = (query: string, reference: string) =>
          ms.flatMap((m) => {
            const y = at(m, query, reference);
            return y === undefined ? [] : [{ x: m.shots!, y }];
          });
        const base = line(c.old, c.old);
        if (base.length) series.push({ name: `${l.id}: ${name(c.old)} → ${name(c.old)}`, dashed: true, points: base });
        for (const up of [c.new, ...(c.adapted ?? [])]) {
          const pts = line(up, c.old);
          if (pts.length) series.push({ name: `${l.id}: ${name(c.old)} → ${name(up)}`, points: pts });
        }
      }
      if (!series.length) continue;
      out.push(
        lineChart({
          title: `${dataset}: prompt learners by shot count, trained on ${name(c.old)}`,
          caption: `Accuracy of each learner trained on ${name(c.old)} with k shots per class, evaluated on ${name(c.old)} itself (dashed) and plugged into the upgraded systems (solid). Mean over seeds.`,
          xLabel: 'shots per class',
          yLabel: 'accuracy',
          series,
        }),
      );
    }
  }
  return out;
}

/** Negative-flip rates per module and upgrade. */
export function flipFigures(report: ExperimentReport): string[] {
  const name = (id: string) => systemLabel(report, id);
  const flips = flipSummaries(report.flips);
  const out: string[] = [];
  for (const dataset of report.spec.datasets) {
    const here = flips.filter((f) => f.dataset === dataset);
    if (!here.length) continue;
    const maxShots = Math.max(0, ...here.map((f) => f.shots ?? 0));
    const shown = here.filter((f) => f.shots === undefined || f.shots === maxShots);
    const series = [...new Set(shown.map((f) => `${name(f.upgraded)} (${f.mode})`))];
    const methods = [...new Set(shown.map((f) => methodName(f.task, f.method, f.shots)))];
    const groups = methods.map((m) => ({
      label: m,
      values: series.map((s) => shown.find((f) => methodName(f.task, f.method, f.shots) === m && `${name(f.upgraded)} (${f.mode})` === s)?.rate.mean),
    }));
    const top = Math.max(0, ...groups.flatMap((g) => g.values.filter((v): v is number => v !== undefined)));
    out.push(
      barChart({
        kind: 'flip-bars',
        title: `${dataset}: negative flips against ${name(report.spec.comparisons[0]?.old ?? '')}`,
        caption:
          'Fraction of all test samples that the old system got right and the upgraded one gets wrong (lower is better). hot-plug: old module with upgraded features; retrained: module rebuilt on the new model.',
        yLabel: 'negative-flip rate',
        series,
        groups,
        max: niceMax(top),
        labels: 'fine',
      }),
    );
  }
  return out;
}
