import type { DatasetResult } from './evaluate';
import type { TrainingRecord } from './train-variant';

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);

export interface Results {
  oldModel: { dir: string; id: string };
  newModel: { dir: string; id: string };
  quick: boolean;
  training: Record<string, TrainingRecord>;
  datasets: DatasetResult[];
  /** Per variant and dataset: old head on new+adapter > old head on old (the compatibility criterion). */
  compatible: Record<string, Record<string, boolean>>;
}

export function compatibility(datasets: DatasetResult[], variants: string[]): Results['compatible'] {
  const out: Results['compatible'] = {};
  for (const v of variants) {
    out[v] = {};
    for (const d of datasets) {
      const s = d.systems[`new + ${v}`];
      out[v]![d.dataset] = !!s && s.oldHeadAccuracy > d.systems.old!.oldHeadAccuracy;
    }
  }
  return out;
}

/** The Markdown results table (one row per dataset and system). */
export function markdownResults(results: Results): string {
  const lines = [
    `# TaCA results${results.quick ? ' (quick run: few steps, small subsets)' : ''}`,
    '',
    `old model: ${results.oldModel.dir} (${results.oldModel.id}); new model: ${results.newModel.dir} (${results.newModel.id})`,
    '',
    '| dataset | system | old head acc | neg. flips | retrieval top-1 vs old gallery | zero-shot (old text) | trained params | train time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const d of results.datasets) {
    for (const [system, f] of Object.entries(d.systems)) {
      const variant = system.startsWith('new + ') ? system.slice(6) : null;
      const t = variant ? results.training[variant] : undefined;
      const params = t ? `${t.adapterParameters} (${(100 * t.trainedFraction).toFixed(2)}%)` : '-';
      const time = t ? `${t.seconds.toFixed(0)} s` : '-';
      lines.push(
        f
          ? `| ${d.dataset} | ${system} | ${pct(f.oldHeadAccuracy)} | ${system === 'old' ? '-' : pct(f.negativeFlipRate)} | ${pct(f.retrievalTop1)} | ${pct(f.zeroShot)} | ${params} | ${time} |`
          : `| ${d.dataset} | ${system} | dimension mismatch | - | - | - | - | - |`,
      );
    }
    lines.push(`| ${d.dataset} | new/new (re-trained head, re-indexed) | ${pct(d.newNew.headAccuracy)} | - | ${pct(d.newNew.retrievalTop1)} | - | - | - |`);
  }
  lines.push('', 'Compatibility (old head on new+adapter > old head on old):', '');
  for (const [v, byDataset] of Object.entries(results.compatible))
    lines.push(
      `- ${v}: ${Object.entries(byDataset)
        .map(([d, ok]) => `${d} ${ok ? 'yes' : 'no'}`)
        .join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}
