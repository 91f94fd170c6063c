import * as tf from '@tensorflow/tfjs-core';
import type { ImageFeatures } from './features';
import { LearnerOptionError } from './learners/context';
import type { ContcoopLearner, ContcoopOptions } from './learners/contcoop';
import { createLearner } from './registry';
import type { PromptTarget } from './target';
import { accuracyOf, predictClasses, trainPromptLearner, type PromptTrainConfig } from './train';

/** One ContCoOp configuration of the side-by-side comparison. */
export interface ContcoopVariant {
  name: string;
  options: Partial<ContcoopOptions>;
  note: string;
}

/** The key-set / residual variants worth reporting next to each other. */
export const CONTCOOP_VARIANTS: readonly ContcoopVariant[] = [
  { name: 'name', options: { keys: 'name', qkNorm: false, residual: false }, note: 'legacy: degenerate on one-token names' },
  {
    name: 'name+residual',
    options: { keys: 'name', qkNorm: false, residual: true },
    note: 'context reaches the prompt directly; W_q, W_k still idle on one-token names',
  },
  {
    name: 'name+template (raw q/k)',
    options: { keys: 'name+template', qkNorm: false, residual: false },
    note: 'non-zero but tiny query-side gradients: the softmax stays near uniform',
  },
  { name: 'name+template', options: { keys: 'name+template', qkNorm: true, residual: false }, note: 'default: values are rows of the model in use' },
  { name: 'name+template+residual', options: { keys: 'name+template', qkNorm: true, residual: true }, note: 'default keys plus the raw context' },
  { name: 'name+context', options: { keys: 'name+context', qkNorm: true, residual: false }, note: 'self + cross attention over [name; context]' },
  { name: 'name+context (raw q/k)', options: { keys: 'name+context', qkNorm: false, residual: false }, note: 'as above without qkNorm' },
];

/** A model a trained prompt is scored on (the training model itself, or one it is plugged into), with its test features. */
export interface VariantEvaluation {
  name: string;
  target: PromptTarget;
  test: ImageFeatures;
}

export interface CompareVariantsInput {
  /** The model the prompts are trained on. */
  source: PromptTarget;
  /** Few-shot training image features, encoded by the source model. */
  train: ImageFeatures;
  /** Where every trained prompt is scored; the learner is applied to each target unchanged. */
  evaluations: readonly VariantEvaluation[];
  variants?: readonly ContcoopVariant[];
  /** Training seeds (initialisation and batch order); default [1]. */
  seeds?: readonly number[];
  /** Options shared by every variant (nCtx, distillWeight, ...); a variant's own options win. */
  options?: Partial<ContcoopOptions>;
  training?: Partial<PromptTrainConfig>;
}

export interface VariantRow {
  variant: string;
  seed: number;
  /** Accuracy on each evaluation, by its name. */
  accuracy: Record<string, number>;
  /** Classes of the source task whose attention has a single key (the context cannot condition them). */
  singleKeyClasses: number;
  /** Largest |gradient| of each learned tensor at initialisation on the whole training set: 0 means the tensor cannot learn. */
  initialGradient: Record<string, number>;
  /** After training, on the source: mean attention entropy / log(keys) over classes, heads and context vectors (1: uniform, 0: one key or one-hot). */
  attentionEntropy: number;
  trainSeconds: number;
}

export interface VariantSummary {
  variant: string;
  note: string;
  /** Mean and sample standard deviation over seeds, per evaluation. */
  accuracy: Record<string, { mean: number; sd: number; n: number }>;
  /** Learned tensors whose initial gradient was exactly 0 for some seed. */
  zeroGradient: string[];
  singleKeyClasses: number;
  /** Mean over seeds of the rows' attentionEntropy. */
  attentionEntropy: number;
}

export interface VariantComparison {
  /** The hand-written prompts' accuracy on each evaluation (zero-shot: the paper's reference). */
  zeroShot: Record<string, number>;
  rows: VariantRow[];
  summary: VariantSummary[];
}

/**
 * Trains each ContCoOp variant on the source model for every seed, then scores it on every
 * evaluation (e.g. old and new model), next to the zero-shot reference; also records which
 * learned tensors receive no gradient at initialisation (the degeneracy of keys 'name').
 */
export async function compareContcoopVariants(input: CompareVariantsInput): Promise<VariantComparison> {
  const variants = input.variants ?? CONTCOOP_VARIANTS;
  const seeds = input.seeds ?? [1];
  const bad = (message: string) => new LearnerOptionError(`compareContcoopVariants: ${message}`, 'compareContcoopVariants');
  if (variants.length === 0) throw bad('no variants to compare; pass at least one (or omit `variants` for CONTCOOP_VARIANTS)');
  if (seeds.length === 0 || !seeds.every(Number.isInteger)) throw bad(`seeds must be a non-empty list of integers, got [${seeds.join(', ')}]`);
  if (input.evaluations.length === 0) throw bad('no evaluations; give at least the source model with its test features');
  const unique = (names: string[], what: string) => {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw bad(`${what} name "${dup}" appears twice; give each a distinct name`);
  };
  unique(
    variants.map((v) => v.name),
    'variant',
  );
  unique(
    input.evaluations.map((e) => e.name),
    'evaluation',
  );

  const score = (learner: ReturnType<typeof createLearner>, e: VariantEvaluation) => accuracyOf(predictClasses(learner, e.target, e.test), e.test.labels);
  const zeroShot: Record<string, number> = {};
  for (const e of input.evaluations) {
    const zs = createLearner('zeroshot', e.target);
    zeroShot[e.name] = score(zs, e);
    zs.dispose();
  }

  const rows: VariantRow[] = [];
  for (const variant of variants) {
    for (const seed of seeds) {
      const learner = createLearner('contcoop', input.source, { seed, options: { ...input.options, ...variant.options } });
      try {
        const singleKeyClasses = (learner as ContcoopLearner).keyCounts(input.source).filter((n) => n === 1).length;
        const initialGradient = gradientMaxima(learner, input.source, input.train);
        const t0 = performance.now();
        await trainPromptLearner(learner, input.source, input.train, { progress: false, ...input.training, seed, label: `contcoop ${variant.name} s${seed}` });
        const trainSeconds = (performance.now() - t0) / 1000;
        const accuracy: Record<string, number> = {};
        for (const e of input.evaluations) accuracy[e.name] = score(learner, e);
        const attentionEntropy = meanNormalisedEntropy(learner as ContcoopLearner, input.source);
        rows.push({ variant: variant.name, seed, accuracy, singleKeyClasses, initialGradient, attentionEntropy, trainSeconds });
      } finally {
        learner.dispose();
      }
    }
  }
  const summary = variants.map((variant): VariantSummary => {
    const mine = rows.filter((r) => r.variant === variant.name);
    const accuracy: VariantSummary['accuracy'] = {};
    for (const e of input.evaluations) accuracy[e.name] = meanSd(mine.map((r) => r.accuracy[e.name]!));
    const zeroGradient = [
      ...new Set(
        mine.flatMap((r) =>
          Object.entries(r.initialGradient)
            .filter(([, g]) => g === 0)
            .map(([name]) => name),
        ),
      ),
    ];
    const attentionEntropy = meanSd(mine.map((r) => r.attentionEntropy)).mean;
    return { variant: variant.name, note: variant.note, accuracy, zeroGradient, singleKeyClasses: mine[0]!.singleKeyClasses, attentionEntropy };
  });
  return { zeroShot, rows, summary };
}

/** Largest |gradient| of every learned tensor of the loss on the whole (few-shot) training set. */
function gradientMaxima(learner: ReturnType<typeof createLearner>, target: PromptTarget, train: ImageFeatures): Record<string, number> {
  const images = tf.tensor2d(train.data, [train.rows, train.dim]);
  const labels = tf.tensor1d(train.labels, 'int32');
  try {
    const { value, grads } = tf.variableGrads(() => learner.loss(target, images, labels).loss);
    const out: Record<string, number> = {};
    for (const [name, v] of learner.parameters()) out[name] = tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  } finally {
    tf.dispose([images, labels]);
  }
}

/** Mean of H(row) / log(keys) over every attention row of every class; a one-key row counts 0 (it is certain). */
export function meanNormalisedEntropy(learner: ContcoopLearner, target: PromptTarget): number {
  const weights = learner.attentionWeights(target);
  let sum = 0;
  let count = 0;
  for (const w of weights) {
    const [heads, m, keys] = w.shape;
    const p = w.dataSync();
    for (let r = 0; r < heads * m; r++) {
      let h = 0;
      for (let j = 0; j < keys; j++) {
        const x = p[r * keys + j]!;
        if (x > 0) h -= x * Math.log(x);
      }
      sum += keys > 1 ? h / Math.log(keys) : 0;
      count++;
    }
  }
  tf.dispose(weights);
  return sum / count;
}

function meanSd(values: number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** The comparison as a Markdown table: accuracy (%) mean ± sd over seeds per evaluation, the classes with one key, and the tensors that cannot learn. */
export function variantTableMarkdown(c: VariantComparison): string {
  const evals = Object.keys(c.zeroShot);
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    `| variant | ${evals.join(' | ')} | classes with one key | zero gradient at init | attention entropy (1 = uniform) | note |`,
    `| --- | ${evals.map(() => '---:').join(' | ')} | ---: | --- | ---: | --- |`,
    `| zero-shot (reference) | ${evals.map((e) => pct(c.zeroShot[e]!)).join(' | ')} | | | | hand-written prompts |`,
    ...c.summary.map(
      (s) =>
        `| ${s.variant} | ${evals.map((e) => `${pct(s.accuracy[e]!.mean)} ± ${pct(s.accuracy[e]!.sd)}`).join(' | ')} | ${s.singleKeyClasses} | ${s.zeroGradient.join(', ') || 'none'} | ${s.attentionEntropy.toFixed(3)} | ${s.note} |`,
    ),
  ];
  return lines.join('\n');
}
