import type { TaskFigures } from './quality';

export interface TrainingRecord {
  name: string;
  description: string;
  config: string;
  steps: number;
  batchSize: number;
  seed: number;
  seconds: number;
  /** Wall-clock minutes per 1,000 optimiser steps on this machine and backend. */
  minutesPer1000Steps?: number;
  /** Mean contrastive loss over the last 10 steps, and over the first 10. */
  finalLoss?: number;
  initialLoss?: number;
  backend: string;
  /** Which corpus trained it ('scenes' or 'labels'; absent in records made before there was a choice: 'labels'). */
  corpus?: string;
  /** The corpus's stream seed and size (the corpus is a pure function of both). */
  corpusSeed?: number;
  corpusSize: number;
  parameters: number;
  /** Bytes of model.safetensors. */
  bytes?: number;
  /** Weights that started from another model instead of the seed's random values. */
  warmStart?: { from: string; weights: string[] };
}

export interface TokenFigures {
  /** Per model: mean cosine of each corpus token's embedding to its random initialisation (and over every row). */
  models: { id: string; cosineToInit: number; cosineToInitAllRows: number; usedTokens: number; vocabSize: number }[];
  /** Held-out R² of an affine map between two models' token tables (over corpus tokens). */
  pairs: { pair: string; from: string; to: string; r2: number }[];
}

export interface QualityBar {
  bar: string;
  /** The measured figure, as printed. */
  figure: string;
  pass: boolean;
}

/** A pair: the old model and its upgrade. */
export interface UpgradePair {
  id: 'A' | 'B';
  name: string;
  old: string;
  next: string;
}

export const PAIRS: UpgradePair[] = [
  { id: 'A', name: 'independent upgrade (ViT-B/32 -> B/16 analogue)', old: 'old', next: 'new' },
  { id: 'B', name: 'continued lineage (CLIP -> EVA-CLIP analogue)', old: 'old', next: 'new-lineage' },
];

export interface ModelCard {
  generatedBy: string;
  data: string;
  training: TrainingRecord[];
  tasks: TaskFigures[];
  tokens: TokenFigures;
  bars: QualityBar[];
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : (100 * x).toFixed(1));
const mins = (s: number) => `${(s / 60).toFixed(1)} min`;

/** Points by which `next` beats `old` (positive = better). */
const gain = (r: Record<string, number> | undefined, next: string, old: string) => (r ? 100 * (r[next]! - r[old]!) : NaN);

/** The card's bars, each with its measured figure (the issue's quality bars, in order). */
export function qualityBars(tasks: TaskFigures[], tokens: TokenFigures, models: string[]): QualityBar[] {
  const bars: QualityBar[] = [];
  for (const t of tasks.filter((x) => x.task === 'fashion-mnist' || x.task === 'mnist')) {
    for (const m of models) {
      const lp = t.linearProbe![m]!;
      bars.push({
        bar: `${t.task}: linear probe of ${m} above the raw-pixel linear probe`,
        figure: `${pct(lp)} vs ${pct(t.rawPixels)}`,
        pass: lp > t.rawPixels!,
      });
    }
  }
  for (const p of PAIRS) {
    for (const t of tasks) {
      const zs = gain(t.zeroShot, p.next, p.old);
      bars.push({
        bar: `pair ${p.id}: ${p.next} beats ${p.old} by >= 3 points, ${t.task} zero-shot${t.metric === 'recall@1' ? ' (recall@1)' : ''}`,
        figure: `${zs >= 0 ? '+' : ''}${zs.toFixed(1)}`,
        pass: zs >= 3,
      });
      if (t.linearProbe) {
        const lp = gain(t.linearProbe, p.next, p.old);
        bars.push({
          bar: `pair ${p.id}: ${p.next} beats ${p.old} by >= 3 points, ${t.task} linear probe`,
          figure: `${lp >= 0 ? '+' : ''}${lp.toFixed(1)}`,
          pass: lp >= 3,
        });
      }
    }
  }
  for (const m of tokens.models)
    bars.push({
      bar: `${m.id}: token embeddings moved (mean cosine to random init < 0.5, corpus tokens)`,
      figure: m.cosineToInit.toFixed(3),
      pass: m.cosineToInit < 0.5,
    });
  for (const p of tokens.pairs) {
    const related = p.pair === 'B';
    bars.push({
      bar: `pair ${p.pair}: ${p.from} <-> ${p.to} token tables ${related ? 'related (held-out R² > 0.5)' : 'unrelated (held-out R² < 0.5)'}`,
      figure: p.r2.toFixed(3),
      pass: related ? p.r2 > 0.5 : p.r2 < 0.5,
    });
  }
  // "Near chance": the naive figure keeps less than a fifth of the old model's margin over chance.
  for (const t of tasks) {
    const n = t.naive.new;
    if (!n) continue;
    const oldFig = t.linearProbe ? t.linearProbe.old! : t.zeroShot.old!;
    const naiveFig = t.linearProbe ? n.linearProbe! : n.zeroShot;
    const limit = t.chance + 0.2 * (oldFig - t.chance);
    bars.push({
      bar: `pair A: naive use of old's ${t.linearProbe ? 'linear head' : t.kind === 'text-retrieval' ? 'text encoder' : 'gallery'} on new lands near chance, ${t.task}`,
      figure: `${pct(naiveFig)} (chance ${pct(t.chance)}, old ${pct(oldFig)})`,
      pass: naiveFig <= limit,
    });
  }
  return bars;
}

/** The human-readable model card (MODEL_CARD.md). */
export function modelCardMarkdown(card: ModelCard): string {
  const lines: string[] = [];
  const models = card.training.map((t) => t.name);
  lines.push('# The embedded models', '');
  lines.push('Three small CLIP-style models trained here from scratch on the scenes world, so the project runs offline. They form two upgrade pairs:', '');
  for (const p of PAIRS) lines.push(`- **Pair ${p.id}, ${p.name}**: \`${p.old}\` → \`${p.next}\``);
  lines.push('', `Regenerate: \`${card.generatedBy}\``, '');
  const met = card.bars.filter((b) => b.pass).length;
  lines.push(`## Quality bars: ${met} of ${card.bars.length} met`, '');
  lines.push('| bar | measured | met |', '| --- | --- | --- |');
  for (const b of card.bars) lines.push(`| ${b.bar} | ${b.figure} | ${b.pass ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push('## Data', '', card.data, '');
  lines.push('## Training', '');
  lines.push(
    '| model | recipe | parameters | size | steps × batch | seed | loss first → last | time | min / 1,000 steps | backend |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const t of card.training) {
    lines.push(
      `| ${t.name} | ${t.description} (\`${t.config}\`) | ${(t.parameters / 1e6).toFixed(2)} M | ${t.bytes ? `${(t.bytes / 1e6).toFixed(1)} MB` : ''} | ${t.steps} × ${t.batchSize} | ${t.seed} | ${t.initialLoss?.toFixed(3) ?? '?'} → ${t.finalLoss?.toFixed(3) ?? '?'} | ${mins(t.seconds)} | ${t.minutesPer1000Steps?.toFixed(1) ?? ''} | ${t.backend} |`,
    );
  }
  lines.push('');
  lines.push('## Downstream tasks (held-out scenes and test splits)', '');
  lines.push(
    'Classification tasks: a seeded 50/50 stratified split of the task items; the linear probe trains on one half, probe and zero-shot are scored on the other. Presence: mean average precision over the 20 categories (one-vs-rest). Retrieval: recall@1. Percentages.',
    '',
  );
  const head = [
    'task',
    'metric',
    'chance',
    ...models.map((m) => `zero-shot ${m}`),
    ...models.map((m) => `linear probe ${m}`),
    'raw pixels',
    'naive old→new (head / zero-shot)',
  ];
  lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  for (const t of card.tasks) {
    const n = t.naive.new;
    lines.push(
      `| ${[t.task, t.metric, pct(t.chance), ...models.map((m) => pct(t.zeroShot[m])), ...models.map((m) => pct(t.linearProbe?.[m])), pct(t.rawPixels), n ? `${pct(n.linearProbe)} / ${pct(n.zeroShot)}` : 'n/a'].join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push(
    '"naive old→new" is the pair-A upgrade done without any adapter: the old model\'s linear head (or zero-shot classifier, gallery, text encoder) fed the new model\'s features, cut to the old 64 dimensions. Near chance means the spaces are incompatible, which is what TaCA and ContCoOp repair.',
    '',
  );
  lines.push('## Token embeddings', '');
  lines.push('| model | mean cosine to random init (corpus tokens) | all rows | corpus tokens / vocabulary |', '| --- | --- | --- | --- |');
  for (const m of card.tokens.models)
    lines.push(`| ${m.id} | ${m.cosineToInit.toFixed(3)} | ${m.cosineToInitAllRows.toFixed(3)} | ${m.usedTokens} / ${m.vocabSize} |`);
  lines.push('');
  lines.push('| pair | tables | held-out R² of an affine map |', '| --- | --- | --- |');
  for (const p of card.tokens.pairs) lines.push(`| ${p.pair} | ${p.from} → ${p.to} | ${p.r2.toFixed(3)} |`);
  lines.push('');
  return lines.join('\n');
}
