import { writeFileAtomic } from '@hotplug/runtime';
import type { ExperimentReport } from '../../harness/harness';
import { CONTRAST_HEADER, contrastTableRows, flipSummaries, marginWithInterval, pctStat, runsLabel, systemLabel, verdictSummaries } from '../summary';
import { CRITERION_TEXT, intervalNote, level, methodName } from '../text';
import { accuracyFigures, flipFigures, heatMapFigures, shotFigures } from './figures';
import { ablationRows, ablationTable, promptTable, reasonGist, summaryMatrix, summaryNote, type CellState } from '../lead';
import { esc, tag } from './svg';
import { TASKS_INTRO, taskTable, type ReportWithTasks } from '../tasks';

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto; max-width: 1352px; padding: 16px 24px; }
h1 { font-size: 22px; margin: 0 0 2px; } p.sub { margin: 0 0 8px; color: #555; font-size: 13px; } h2.first { margin: 6px 0 2px; font-size: 17px; border: 0; padding: 0; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 0 0 6px; }
.criterion { background: #f5f8fc; border-left: 4px solid #4e79a7; padding: 10px 16px; }
table { border-collapse: collapse; margin: 10px 0; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; } th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ok { color: #1b7a2e; font-weight: 600; } td.bad { color: #b3261e; font-weight: 600; } td.unsure { color: #8a6d00; font-weight: 600; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; } figure.chart { margin: 0; padding: 12px; border: 1px solid #e4e4e4; border-radius: 6px; background: #fff; }
figcaption { font-size: 12px; color: #555; width: 0; min-width: 100%; margin-top: 6px; }
svg text { font-family: system-ui, sans-serif; } .tick, .legend, .category { font-size: 12px; fill: #333; } .axis-label { font-size: 12px; fill: #555; }
table.summary { font-size: 13px; margin: 6px 0; } table.summary th { font-weight: 600; max-width: 112px; white-space: normal; vertical-align: bottom; }
table.summary td { padding: 3px 6px; white-space: nowrap; } table.summary td.v { text-align: center; white-space: nowrap; font-variant-numeric: tabular-nums; min-width: 86px; }
table.summary.compact { font-size: 12px; } table.summary.compact td.v { min-width: 46px; padding: 2px 3px; } table.summary.compact th { max-width: 62px; font-size: 11px; padding: 3px; overflow-wrap: anywhere; hyphens: auto; }
table.summary.compact span.ci { display: block; font-size: 11px; } table.summary th.group { text-align: center; border-bottom: 2px solid #999; }
td.v.compatible { background: #cdebd3; color: #14532d; } td.v.inconclusive { background: #efe6cc; color: #5c4a00; } td.v.not-compatible { background: #f6cfcb; color: #7f1d1d; } td.v.na { background: #ececec; color: #666; }
p.legend, p.notes { font-size: 12px; color: #444; margin: 2px 0; } .swatch { display: inline-block; width: 11px; height: 11px; vertical-align: -1px; margin: 0 3px 0 10px; border: 1px solid #bbb; }
svg { max-width: 100%; height: auto; } .whisker { stroke: #222; stroke-width: 1.4; } .ref-line { stroke: #b3261e; stroke-width: 1.5; stroke-dasharray: 5 3; } .ref-label { font-size: 11px; fill: #b3261e; }
.value { font-size: 11px; fill: #333; } .value.na { fill: #999; } .grid { stroke: #e8e8e8; } .cell-value { font-size: 14px; font-weight: 600; } .bar.na { fill: #bbb; }
`;

// Runs in the browser: records each figure's rendered size and mark count, so a headless
// check can tell that the charts were really laid out, not just present in the markup.
const SCRIPT = `
(function () {
  var figs = document.querySelectorAll('figure[data-figure]');
  figs.forEach(function (f) {
    var svg = f.querySelector('svg');
    var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    f.setAttribute('data-rendered-width', String(Math.round(box.width)));
    f.setAttribute('data-rendered-height', String(Math.round(box.height)));
    f.setAttribute('data-marks', String(svg ? svg.querySelectorAll('[data-value]').length : 0));
  });
  document.body.setAttribute('data-figures-rendered', String(figs.length));
  // Where the answer lands on the first screen: the summary matrix's box, which table comes first, the viewport.
  var summary = document.querySelector('table[data-table="summary"]');
  if (summary) {
    var s = summary.getBoundingClientRect();
    document.body.setAttribute('data-summary-top', String(Math.round(s.top)));
    document.body.setAttribute('data-summary-bottom', String(Math.ceil(s.bottom)));
    document.body.setAttribute('data-summary-right', String(Math.ceil(s.right)));
  }
  var first = document.querySelector('table');
  document.body.setAttribute('data-first-table', first ? String(first.getAttribute('data-table')) : 'none');
  document.body.setAttribute('data-viewport', window.innerWidth + 'x' + window.innerHeight);
  document.body.setAttribute('data-page-width', String(document.documentElement.scrollWidth));
})();
`;

const STATE_CSS: Record<CellState, string> = { compatible: 'compatible', inconclusive: 'inconclusive', 'not compatible': 'not-compatible', 'n/a': 'na' };

/** The answer: modules × upgrades, each cell the verdict's colour and the margin ± interval. */
function summaryTable(report: ExperimentReport): string[] {
  const m = summaryMatrix(report);
  if (!m.rows.length) return [];
  // Several old systems (e.g. two model pairs): a header row per old system over its upgrades.
  const olds = [...new Set(m.columns.map((c) => c.old))];
  const groups =
    olds.length > 1
      ? [
          tag(
            'tr',
            {},
            tag('th', { colspan: 2 }, ''),
            ...olds.map((o) =>
              tag('th', { colspan: m.columns.filter((c) => c.old === o).length, class: 'group' }, esc(`upgrades of ${systemLabel(report, o)}`)),
            ),
          ),
        ]
      : [];
  const head = tag(
    'tr',
    {},
    tag('th', {}, 'dataset'),
    tag('th', {}, 'module'),
    ...m.columns.map((c) => tag('th', { 'data-upgrade': c.upgraded }, esc(olds.length > 1 ? systemLabel(report, c.upgraded) : c.label))),
  );
  // Many upgrades: the interval goes under the margin, so the columns stay narrow enough for 1,400 px.
  const compact = m.columns.length > 9;
  const cellText = (text: string) => {
    const cut = text.indexOf(' ');
    return cut < 0 ? esc(text) : `${tag('span', { class: 'm' }, esc(text.slice(0, cut)))} ${tag('span', { class: 'ci' }, esc(text.slice(cut + 1)))}`;
  };
  const rows = m.rows.map((r, ri) =>
    tag(
      'tr',
      {},
      tag('td', {}, esc(r.dataset)),
      tag('td', {}, esc(r.label)),
      ...m.cells[ri]!.map((c, ci) => {
        const col = m.columns[ci]!;
        const note = c.reason ? m.reasons.indexOf(reasonGist(c.reason)) + 1 : 0;
        const title =
          c.state === 'n/a'
            ? `n/a [${note}]: ${c.reason}`
            : `${c.state}: M(${systemLabel(report, col.upgraded)}, ${systemLabel(report, col.old)}) − M(old, old) = ${c.text} points${c.interval ? ` (interval ${(c.interval.low * 100).toFixed(1)} to ${(c.interval.high * 100).toFixed(1)})` : ''}`;
        return tag(
          'td',
          { class: `v ${STATE_CSS[c.state]}`, 'data-verdict': c.state, 'data-module': `${r.dataset}/${r.method}`, 'data-upgrade': col.upgraded, title },
          c.state === 'n/a' ? esc(`n/a [${note}]`) : cellText(c.text),
        );
      }),
    ),
  );
  const swatch = (state: CellState, text: string) => `${tag('span', { class: `swatch`, style: `background:${SWATCH[state]}` }, '')}${esc(text)}`;
  const legend = tag(
    'p',
    { class: 'legend' },
    esc(summaryNote(report)),
    ' ',
    swatch('compatible', 'compatible'),
    swatch('inconclusive', 'inconclusive'),
    swatch('not compatible', 'not compatible'),
    swatch('n/a', 'n/a'),
  );
  const notes = m.reasons.length ? [tag('p', { class: 'notes' }, m.reasons.map((r, i) => esc(`[${i + 1}] ${r}`)).join('<br>'))] : [];
  return [tag('table', { class: compact ? 'summary compact' : 'summary', 'data-table': 'summary' }, ...groups, head, ...rows), legend, ...notes];
}

const SWATCH: Record<CellState, string> = { compatible: '#cdebd3', inconclusive: '#efe6cc', 'not compatible': '#f6cfcb', 'n/a': '#ececec' };

function ablationHtml(report: ExperimentReport): string[] {
  const rows = ablationRows(report);
  if (!rows.length) return [];
  const t = ablationTable(rows);
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  return [
    tag(
      'table',
      { 'data-table': 'ablation' },
      tag('tr', {}, ...t.header.map((h) => tag('th', {}, esc(h)))),
      ...t.rows.map((r) => tag('tr', {}, ...r.map((c, i) => tag('td', numeric.has(i) ? { class: 'num' } : {}, esc(c))))),
    ),
  ];
}

function promptHtml(report: ExperimentReport): string[] {
  const t = promptTable(report);
  if (!t.rows.length) return [];
  return [
    tag(
      'table',
      { 'data-table': 'prompts' },
      tag('tr', {}, ...t.header.map((h) => tag('th', {}, esc(h)))),
      ...t.rows.map((r) =>
        tag(
          'tr',
          {},
          ...r.cells.map((c, i) => {
            const state = r.states[i];
            return tag('td', state ? { class: `v ${STATE_CSS[state]}`, 'data-verdict': state } : i >= 4 ? { class: 'num' } : {}, esc(c));
          }),
        ),
      ),
    ),
  ];
}

function tasksHtml(report: ReportWithTasks): string[] {
  const t = taskTable(report);
  if (!t.rows.length) return [];
  return [
    tag(
      'table',
      { class: 'summary', 'data-table': 'tasks' },
      tag('tr', {}, ...t.header.map((h) => tag('th', {}, esc(h)))),
      ...t.rows.map((r) =>
        tag(
          'tr',
          {},
          tag('td', {}, esc(r.task)),
          tag('td', {}, esc(r.module)),
          tag('td', {}, esc(r.metric)),
          tag('td', { class: 'num' }, esc(r.oldOld)),
          ...r.cells.map((c, i) =>
            tag(
              'td',
              {
                class: `v ${STATE_CSS[c.state]}`,
                'data-verdict': c.state,
                'data-upgrade': t.columns[i]!.upgraded,
                title: c.state === 'n/a' ? `n/a: ${c.reason ?? ''}` : `${c.state}: ${c.text} points`,
              },
              esc(c.text),
            ),
          ),
        ),
      ),
    ),
  ];
}

function verdictTable(report: ExperimentReport): string {
  const name = (id: string) => systemLabel(report, id);
  const css: Record<string, string> = { compatible: 'ok', 'not compatible': 'bad', inconclusive: 'unsure', 'cannot run': 'bad' };
  const rows = verdictSummaries(report.verdicts).map((v) =>
    tag(
      'tr',
      { 'data-verdict': v.verdict },
      tag('td', {}, esc(v.dataset)),
      tag('td', {}, esc(methodName(v.task, v.method, v.shots))),
      tag('td', {}, esc(v.metric)),
      tag('td', {}, esc(`${name(v.old)} → ${name(v.upgraded)}`)),
      tag('td', { class: 'num' }, esc(pctStat(v.oldOld))),
      tag('td', { class: 'num' }, esc(pctStat(v.upgradedOld))),
      tag('td', { class: 'num' }, esc(pctStat(v.newNew))),
      tag('td', { class: 'num' }, esc(marginWithInterval(v))),
      tag('td', { class: 'num' }, esc(runsLabel(v))),
      tag('td', { class: css[v.verdict]! }, esc(v.verdict)),
    ),
  );
  const head = [
    'dataset',
    'module',
    'metric',
    'upgrade',
    'M(old, old)',
    'M(upgraded, old)',
    'M(new, new)',
    `margin, points [${level(report)} CI]`,
    'training runs',
    'verdict',
  ];
  return tag('table', { 'data-table': 'verdicts' }, tag('tr', {}, ...head.map((h) => tag('th', {}, esc(h)))), ...rows);
}

function contrastTable(report: ExperimentReport): string {
  const css: Record<string, string> = { 'a higher': 'ok', 'a lower': 'bad', inconclusive: 'unsure', 'cannot run': 'bad' };
  const rows = contrastTableRows(report).map((cells) =>
    tag(
      'tr',
      { 'data-answer': cells[8] },
      ...cells.slice(0, 4).map((c) => tag('td', {}, esc(c))),
      ...cells.slice(4, 8).map((c) => tag('td', { class: 'num' }, esc(c))),
      tag('td', { class: css[cells[8]!]! }, esc(cells[8]!)),
    ),
  );
  return tag('table', { 'data-table': 'contrasts' }, tag('tr', {}, ...CONTRAST_HEADER.map((h) => tag('th', {}, esc(h)))), ...rows);
}

function flipTable(report: ExperimentReport): string {
  const name = (id: string) => systemLabel(report, id);
  const head = ['dataset', 'module', 'old', 'upgraded', 'mode', 'negative-flip rate (%)', 'of old-correct (%)'];
  const rows = flipSummaries(report.flips).map((f) =>
    tag(
      'tr',
      {},
      ...[f.dataset, methodName(f.task, f.method, f.shots), name(f.old), name(f.upgraded), f.mode].map((c) => tag('td', {}, esc(c))),
      ...[pctStat(f.rate), pctStat(f.relative)].map((c) => tag('td', { class: 'num' }, esc(c))),
    ),
  );
  return tag('table', { 'data-table': 'flips' }, tag('tr', {}, ...head.map((h) => tag('th', {}, esc(h)))), ...rows);
}

function section(title: string, intro: string, body: string[]): string {
  if (!body.length) return '';
  return tag('section', {}, tag('h2', {}, esc(title)), tag('p', {}, esc(intro)), ...body);
}

/** A self-contained HTML page (inline CSS, SVG and script; nothing fetched) of a report. */
export function htmlReport(report: ReportWithTasks, options: { generatedAt?: string } = {}): string {
  const systems = report.spec.systems.map((s) => `${s.label ?? s.id} = ${s.model}${s.adapter ? ` + ${s.adapter}` : ''}`).join('; ');
  const summary = summaryTable(report);
  const body = [
    tag('h1', {}, esc(`Compatibility report: ${report.name}`)),
    tag(
      'p',
      { class: 'sub' },
      esc(
        `Datasets: ${report.spec.datasets.join(', ')}. Seeds: ${report.spec.seeds.join(', ')}.${options.generatedAt ? ` Generated ${options.generatedAt}.` : ''} Systems and the criterion in words are below the first tables.`,
      ),
    ),
    // The answer first: it must fit the first screen (1,400 × 900), which the browser test checks.
    ...(summary.length ? [tag('h2', { class: 'first' }, 'Does each module keep working after each upgrade?'), ...summary] : []),
    section(
      'Adapter ablation',
      'Each adapted system over every module of the summary (verdict counts); n/a where the application did not report a figure.',
      ablationHtml(report),
    ),
    section(
      'Prompt learners against their references',
      "Trained on old, plugged into new (ContCoOp's protocol): against the new model's own zero-shot (the paper's reference) and against the same learner on old; margins in points ± half the interval.",
      promptHtml(report),
    ),
    section('Downstream tasks', TASKS_INTRO, tasksHtml(report)),
    section('How to read this report', `Systems: ${systems}.`, [tag('div', { class: 'criterion' }, ...CRITERION_TEXT.map((t) => tag('p', {}, esc(t))))]),
    section(
      'Verdicts',
      `The criterion applied to each upgrade of each module (figures in %, mean ± std over random training runs; deterministic modules evaluated once). ${intervalNote(report)}`,
      [verdictTable(report)],
    ),
    section(
      'Contrasts',
      'M(a) − M(b) for the references the spec names (not M(old, old)), with the same paired-bootstrap interval.',
      report.contrasts?.length ? [contrastTable(report)] : [],
    ),
    section('Accuracy per system', 'Hot-plug (old module, upgraded features) against rebuilding the module on each system.', [
      tag('div', { class: 'figures' }, ...accuracyFigures(report)),
    ]),
    section('Compatibility matrices', 'Query system × the system the module was built on.', [tag('div', { class: 'figures' }, ...heatMapFigures(report))]),
    section(
      'Prompt learners by shot count',
      'Learners trained on the old model and plugged into upgraded ones.',
      shotFigures(report).length ? [tag('div', { class: 'figures' }, ...shotFigures(report))] : [],
    ),
    section(
      'Negative flips',
      'Samples the old system got right that the upgrade gets wrong.',
      report.flips.length ? [tag('div', { class: 'figures' }, ...flipFigures(report)), flipTable(report)] : [],
    ),
    tag(
      'p',
      {},
      esc(
        `${report.cells.length} grid cells (${report.stats.cellsComputed} computed, ${report.stats.cellsCached} from cache). Every figure with its configuration and seed is in the JSON report.`,
      ),
    ),
  ];
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(`Compatibility report: ${report.name}`)}</title><style>${STYLE}</style></head>` +
    `<body>${body.join('\n')}<script>${SCRIPT}</script></body></html>\n`
  );
}

/** Writes the HTML report atomically. */
export function writeHtmlReport(path: string, report: ReportWithTasks, options: { generatedAt?: string } = {}): void {
  writeFileAtomic(path, htmlReport(report, options));
}
