import type { DatasetFigures } from './evaluate';

export interface TrainingRecord {
  name: string;
  description: string;
  config: string;
  steps: number;
  batchSize: number;
  seed: number;
  seconds: number;
  backend: string;
  /** Which corpus trained it ('scenes' or 'labels'; absent in records made before there was a choice: 'labels'). */
  corpus?: string;
  corpusSize: number;
  parameters: number;
  /** Weights that started from another model instead of the seed's random values. */
  warmStart?: { from: string; weights: string[] };
}

export interface ModelCard {
  generatedBy: string;
  data: string;
  training: TrainingRecord[];
  figures: DatasetFigures[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mins = (s: number) => `${(s / 60).toFixed(1)} min`;

/** The human-readable model card (MODEL_CARD.md). */
export function modelCardMarkdown(card: ModelCard): string {
  const lines: string[] = [];
  lines.push('# The embedded default models', '');
  lines.push('A small "old" and "new" CLIP-style pair, trained here from scratch so the project runs offline. They play the roles of a deployed foundation model and its better successor: the new one is larger and better, and its embedding space is unrelated to the old one.', '');
  lines.push(`Regenerate: \`${card.generatedBy}\``, '');
  lines.push('## Data', '', card.data, '');
  lines.push('## Training', '');
  lines.push('| model | recipe | parameters | steps × batch | seed | time | backend |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const t of card.training) lines.push(`| ${t.name} | ${t.description} (\`${t.config}\`) | ${(t.parameters / 1e6).toFixed(2)} M | ${t.steps} × ${t.batchSize} | ${t.seed} | ${mins(t.seconds)} | ${t.backend} |`);
  lines.push('');
  lines.push('## Figures (test splits)', '');
  lines.push('| dataset | zero-shot old | zero-shot new | linear probe old | linear probe new | old head on new features | retrieval top-1 old→old | new→old | new→new | chance |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const f of card.figures) {
    lines.push(`| ${f.dataset} | ${pct(f.zeroShot.old!)} | ${pct(f.zeroShot.new!)} | ${pct(f.linearProbe.old!)} | ${pct(f.linearProbe.new!)} | ${pct(f.oldHeadOnNew)} | ${pct(f.retrievalOldOld.top1)} | ${pct(f.retrievalNewOld.top1)} | ${pct(f.retrievalNewNew.top1)} | ${pct(f.chance)} |`);
  }
  lines.push('');
  lines.push('"old head on new features" and "new→old" retrieval are the naive upgrade: a head trained on old features fed the new model\'s features, and new-model queries searched against an old-model gallery. Near chance means the two spaces are incompatible, which is what TaCA and ContCoOp repair. Retrieval: test-split queries against a gallery of train-split images; mAP in card.json.');
  lines.push('');
  return lines.join('\n');
}
