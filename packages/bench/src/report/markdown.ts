import { writeFileAtomic } from '@hotplug/runtime';
import { CONTRAST_HEADER, contrastTableRows, flipSummaries, marginWithInterval, matrices, pctStat, runsLabel, systemLabel, verdictSummaries } from './summary';
import { CRITERION_TEXT, intervalNote, level, methodName } from './text';
import { ablationRows, ablationTable, promptTable, reasonGist, summaryMatrix, summaryNote, type CellState } from './lead';
import { TASKS_INTRO, taskTable, type ReportWithTasks } from './tasks';

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

// Colour of a verdict in Markdown, which has no colours: the same traffic light as the HTML page.
const MARK: Record<CellState, string> = { compatible: '🟢', inconclusive: '🟡', 'not compatible': '🔴', 'n/a': '⚪' };

/** The answer first: the summary matrix, the adapter ablation, the prompt learners against their references. */
function leadingTables(report: ReportWithTasks): string[] {
  const out: string[] = [];
  const m = summaryMatrix(report);
  if (m.rows.length) {
    out.push('## Summary: does each module keep working after each upgrade?', '');
    out.push(`${summaryNote(report)} 🟢 compatible · 🟡 inconclusive · 🔴 not compatible · ⚪ n/a.`, '');
    const header = ['dataset', 'module', ...m.columns.map((c) => c.label)];
    const rows = m.rows.map((r, ri) => [
      r.dataset,
      r.label,
      ...m.cells[ri]!.map((c) => (c.state === 'n/a' ? `${MARK['n/a']} n/a [${m.reasons.indexOf(reasonGist(c.reason!)) + 1}]` : `${MARK[c.state]} ${c.text}`)),
    ]);
    out.push(table(header, rows), '');
    // Markdown line breaks (two trailing spaces) keep the notes one per line in one paragraph.
    if (m.reasons.length) out.push(m.reasons.map((r, k) => `[${k + 1}] ${r}`).join('  \n'), '');
  }
  const ablation = ablationRows(report, m);
  if (ablation.length) {
    const t = ablationTable(ablation);
    out.push(
      '## Adapter ablation',
      '',
      'Each adapted system over every module of the summary (verdict counts); n/a where the application did not report a figure.',
      '',
    );
    out.push(table(t.header, t.rows), '');
  }
  const prompts = promptTable(report);
  if (prompts.rows.length) {
    out.push('## Prompt learners against their references', '');
    out.push(
      "Trained on old, plugged into new (ContCoOp's protocol): against the new model's own zero-shot (the paper's reference) and against the same learner on old, margins in points ± half the interval (higher / lower / inconclusive).",
      '',
    );
    out.push(
      table(
        prompts.header,
        prompts.rows.map((r) => r.cells.map((c, i) => (r.states[i] ? `${MARK[r.states[i]!]} ${c}` : c))),
      ),
      '',
    );
  }
  const tasks = taskTable(report);
  if (tasks.rows.length) {
    out.push('## Downstream tasks', '', TASKS_INTRO, '');
    const reasons: string[] = [];
    const note = (r: string) => (reasons.includes(r) ? reasons.indexOf(r) : reasons.push(r) - 1) + 1;
    out.push(
      table(
        tasks.header,
        tasks.rows.map((r) => [
          r.task,
          r.module,
          r.metric,
          r.oldOld,
          ...r.cells.map((c) => (c.state === 'n/a' ? `${MARK['n/a']} n/a [${note(c.reason ?? 'n/a')}]` : `${MARK[c.state]} ${c.text}`)),
        ]),
      ),
      '',
    );
    if (reasons.length) out.push(reasons.map((r, k) => `[${k + 1}] ${r}`).join('  \n'), '');
  }
  return out;
}

/** The report as Markdown tables (figures in %, mean ± std over seeds). */
export function markdownReport(report: ReportWithTasks): string {
  const name = (id: string) => systemLabel(report, id);
  const out: string[] = [`# ${report.name}`, ''];
  out.push(...leadingTables(report));
  out.push('## How to read this report', '', ...CRITERION_TEXT.map((l) => `- ${l}`), '');
  out.push(
    `Figures are percentages, mean ± standard deviation over random training runs (seeds ${report.spec.seeds.join(', ')} for seeded modules); deterministic modules are evaluated once. ${intervalNote(report)}`,
    '',
  );

  const verdicts = verdictSummaries(report.verdicts);
  if (verdicts.length) {
    out.push('## Verdicts', '');
    out.push(
      table(
        [
          'dataset',
          'module',
          'metric',
          'upgrade',
          'M(old, old)',
          'M(upgraded, old)',
          'M(new, new)',
          `margin [${level(report)} CI]`,
          'training runs',
          'verdict',
        ],
        verdicts.map((v) => [
          v.dataset,
          methodName(v.task, v.method, v.shots),
          v.metric,
          `${name(v.old)} → ${name(v.upgraded)}`,
          pctStat(v.oldOld),
          pctStat(v.upgradedOld),
          pctStat(v.newNew),
          marginWithInterval(v),
          runsLabel(v),
          v.verdict,
        ]),
      ),
      '',
    );
  }

  if (report.contrasts?.length) {
    out.push(
      '## Contrasts',
      '',
      'M(a) − M(b) in points for the references the spec names (not M(old, old)), with the same paired-bootstrap interval; runs pair by seed.',
      '',
    );
    out.push(table(CONTRAST_HEADER, contrastTableRows(report)), '');
  }

  out.push('## Compatibility matrices', '', 'Rows: query system. Columns: the system the module was built on. n/a: the module cannot take those features.', '');
  for (const m of matrices(report)) {
    out.push(`### ${m.dataset}: ${methodName(m.task, m.method, m.shots)}, ${m.metric}`, '');
    out.push(
      table(
        ['query \\ reference', ...m.systems.map(name)],
        m.systems.map((q, i) => [name(q), ...m.values[i]!.map((s) => pctStat(s))]),
      ),
      '',
    );
  }

  const flips = flipSummaries(report.flips);
  if (flips.length) {
    out.push('## Negative flips', '');
    out.push(
      table(
        ['dataset', 'module', 'old', 'upgraded', 'mode', 'negative-flip rate', 'of old-correct'],
        flips.map((f) => [f.dataset, methodName(f.task, f.method, f.shots), name(f.old), name(f.upgraded), f.mode, pctStat(f.rate), pctStat(f.relative)]),
      ),
      '',
    );
  }

  const learnerRows = matrices(report).filter((m) => m.task === 'learner');
  if (learnerRows.length) {
    out.push('## Prompt learners by shot count', '', 'Accuracy of learners trained on the reference system and evaluated on the query system.', '');
    const pairs = new Map<string, string[]>();
    const shots = [...new Set(learnerRows.map((m) => m.shots!))].sort((a, b) => a - b);
    for (const m of learnerRows) {
      m.systems.forEach((q, qi) => {
        m.systems.forEach((r, ri) => {
          const key = `${m.dataset}|${m.method}|${r}|${q}`;
          if (!pairs.has(key)) pairs.set(key, [m.dataset, m.method, `${name(r)} → ${name(q)}`, ...shots.map(() => 'n/a')]);
          pairs.get(key)![3 + shots.indexOf(m.shots!)] = pctStat(m.values[qi]![ri]);
        });
      });
    }
    out.push(table(['dataset', 'learner', 'trained → evaluated', ...shots.map((s) => `${s}-shot`)], [...pairs.values()]), '');
  }
  out.push(`Cells: ${report.cells.length} (${report.stats.cellsComputed} computed, ${report.stats.cellsCached} from cache).`, '');
  return out.join('\n');
}

/** Writes the Markdown report atomically. */
export function writeMarkdownReport(path: string, report: ReportWithTasks): void {
  writeFileAtomic(path, markdownReport(report));
}
