import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configForTokenizer, createClip, loadClip, resolveConfig, saveClip, type Clip, type Tokenizer } from '@hotplug/backbones';
import { EMBEDDED_MODELS, loadEmbeddedModel, type EmbeddedModelName } from '@hotplug/models';
import { PRESET_PIPELINES, bytesToTensor, composeTransforms } from '@hotplug/data';
import { contrastiveLoss } from '@hotplug/kernels';
import { Rng, sha256 } from '@hotplug/runtime';
import { StepSampler, Trainer, type StepRecord, type TrainSummary } from '@hotplug/train';
import type { PretrainConfig } from './config';
import type { PreparedCorpus } from './corpus';

/** CLIP caps the learned logit scale at 100 so the softmax cannot collapse. */
const MAX_LOGIT_SCALE = Math.log(100);

export interface PretrainOptions {
  /** Where checkpoints and the metrics log go (resume by rerunning with the same folder). */
  runDir: string;
  /** Where the finished model folder is written. */
  outDir: string;
  /** Override the recipe's step count (tests, --steps). */
  steps?: number;
  progress?: boolean;
  /** Discard a checkpoint made with another recipe or corpus (otherwise ConfigMismatchError) and train afresh. */
  restart?: boolean;
  /** Called after every step (a throw stops the run, as a kill would; rerun to resume). */
  onStep?: (record: StepRecord) => void;
}

export interface PretrainResult {
  clip: Clip;
  summary: TrainSummary;
}

/** Gathers the bytes of the given corpus items into one buffer. */
function gatherBytes(source: Uint8Array, perItem: number, indices: Int32Array): Uint8Array {
  const out = new Uint8Array(indices.length * perItem);
  indices.forEach((i, k) => {
    out.set(source.subarray(i * perItem, (i + 1) * perItem), k * perItem);
  });
  return out;
}

function gatherTokens(tokenIds: Int32Array, contextLength: number, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length * contextLength);
  indices.forEach((i, k) => {
    out.set(tokenIds.subarray(i * contextLength, (i + 1) * contextLength), k * contextLength);
  });
  return out;
}

/**
 * Exact names, or a prefix ending in "*" ("text.*" is the whole text tower), expanded over
 * the source model's weight names.
 */
export function expandWeightNames(patterns: string[], source: Map<string, unknown>, sourceName: string): string[] {
  const names: string[] = [];
  for (const p of patterns) {
    if (!p.endsWith('*')) {
      names.push(p);
      continue;
    }
    const hits = [...source.keys()].filter((n) => n.startsWith(p.slice(0, -1)));
    if (hits.length === 0) throw new Error(`warmStart: no weight of "${sourceName}" matches "${p}"`);
    names.push(...hits);
  }
  return [...new Set(names)];
}

/** Copies the named weights of another trained model into `clip` (shapes must match). */
export function warmStart(clip: Clip, spec: NonNullable<PretrainConfig['warmStart']>, tokenizer: Tokenizer, modelsRoot?: string): void {
  // An embedded name means that model of this run when the run writes its models elsewhere (--out).
  const sibling = modelsRoot && (EMBEDDED_MODELS as readonly string[]).includes(spec.from) ? join(modelsRoot, spec.from) : undefined;
  const loaded =
    sibling && existsSync(join(sibling, 'config.json'))
      ? loadClip(sibling)
      : (EMBEDDED_MODELS as readonly string[]).includes(spec.from)
        ? loadEmbeddedModel(spec.from as EmbeddedModelName)
        : loadClip(spec.from);
  const source = loaded.clip;
  try {
    // A token table only means the same thing under the same token ids.
    if (spec.weights.some((w) => w.startsWith('text.')) && JSON.stringify(loaded.tokenizer?.toJSON()) !== JSON.stringify(tokenizer.toJSON()))
      throw new Error(
        `warmStart: "${spec.from}" was trained with another tokenizer than this corpus builds; text weights would not line up (rebuild both from the same corpus)`,
      );
    const from = source.namedWeights();
    const to = clip.namedWeights();
    for (const name of expandWeightNames(spec.weights, from, spec.from)) {
      const src = from.get(name);
      const dst = to.get(name);
      if (!src) throw new Error(`warmStart: the model "${spec.from}" has no weight "${name}"`);
      if (!dst) throw new Error(`warmStart: the model being trained has no weight "${name}" (its weights: ${[...to.keys()].slice(0, 6).join(', ')}, ...)`);
      if (src.shape.join('x') !== dst.shape.join('x'))
        throw new Error(
          `warmStart: "${name}" is [${src.shape}] in "${spec.from}" but [${dst.shape}] here; warm-start only weights of the same shape (same tokenizer and width)`,
        );
      dst.assign(src);
    }
  } finally {
    source.dispose();
  }
}

/**
 * Contrastive (InfoNCE, learnable temperature) pretraining of one CLIP on the caption
 * corpus. Batches and augmentations derive from (seed, step), so a killed run resumes to
 * the same weights.
 */
export async function pretrainModel(recipe: PretrainConfig, prepared: PreparedCorpus, options: PretrainOptions): Promise<PretrainResult> {
  const { corpus, tokenizer, tokenIds } = prepared;
  const config = configForTokenizer(resolveConfig(recipe.model), tokenizer);
  const v = config.vision;
  if (corpus.height !== v.imageSize || corpus.width !== v.imageSize || corpus.channels !== v.channels)
    throw new Error(
      `model ${config.name} takes ${v.imageSize}x${v.imageSize}x${v.channels} images but the corpus holds ${corpus.height}x${corpus.width}x${corpus.channels}`,
    );
  const clip = createClip(config, { seed: recipe.seed });
  if (recipe.warmStart) {
    try {
      warmStart(clip, recipe.warmStart, tokenizer, dirname(options.outDir));
    } catch (err) {
      clip.dispose();
      throw new Error(`recipe ${recipe.name}: ${(err as Error).message}`);
    }
  }
  const ctx = config.text.contextLength;
  const perImage = corpus.height * corpus.width * corpus.channels;
  const norm = { mean: v.mean, std: v.std };
  const transform = composeTransforms(recipe.augment ? PRESET_PIPELINES.trainSmall(norm) : PRESET_PIPELINES.eval(norm));
  const sampler = new StepSampler(corpus.size, recipe.batchSize, recipe.seed);
  const totalSteps = options.steps ?? recipe.steps;

  const trainer = new Trainer(clip.namedWeights(), {
    totalSteps,
    schedule: { lr: recipe.lr, warmupSteps: Math.min(recipe.warmupSteps, Math.floor(totalSteps / 2)), kind: 'cosine', minLrRatio: recipe.minLrRatio },
    optimizer: { weightDecay: recipe.weightDecay },
    clipGradNorm: recipe.clipGradNorm,
    checkpoint: { dir: join(options.runDir, 'checkpoint'), every: recipe.checkpointEvery },
    logFile: join(options.runDir, 'metrics.jsonl'),
    label: `pretrain ${recipe.name}`,
    progress: options.progress,
    restart: options.restart,
    // A resumed run must have the same recipe (steps override included), corpus, tokenization and batch order.
    run: {
      recipe: { ...recipe, steps: totalSteps },
      model: config,
      data: {
        order: sampler.fingerprint(),
        corpusSize: corpus.size,
        tokens: sha256(new Uint8Array(tokenIds.buffer, tokenIds.byteOffset, tokenIds.byteLength)),
      },
    },
  });
  try {
    const summary = await trainer.fit((step) => {
      const idx = sampler.batch(step);
      const raw = bytesToTensor(gatherBytes(corpus.images, perImage, idx), idx.length, corpus.height, corpus.width, corpus.channels);
      const images = transform(raw, new Rng(`${recipe.seed}/augment/${step}`));
      const ids = tf.tensor2d(gatherTokens(tokenIds, ctx, idx), [idx.length, ctx], 'int32');
      const imageEmb = clip.visual.forward(images).embedding as tf.Tensor2D;
      const textEmb = clip.text.encodeTokens(ids).embedding as tf.Tensor2D;
      const logitScale = tf.minimum(clip.logitScale, MAX_LOGIT_SCALE);
      const loss = contrastiveLoss(imageEmb, textEmb, tf.exp(logitScale) as tf.Scalar);
      return { loss, metrics: { logitScale: logitScale as tf.Scalar } };
    }, options.onStep);
    // A finished run rerun trains nothing; its model folder is already written, leave it as it is.
    if (!(summary.alreadyFinished && existsSync(join(options.outDir, 'model.safetensors')))) saveClip(clip, options.outDir, tokenizer);
    return { clip, summary };
  } catch (err) {
    clip.dispose();
    throw err;
  } finally {
    trainer.dispose();
  }
}
