import { readFileSync } from 'node:fs';
import type { ClipConfigInput } from '@hotplug/backbones';
import type { TrainingRecipe } from '@hotplug/train';

/** One model's pretraining recipe, as stored in configs/NAME.json. */
export interface PretrainConfig extends TrainingRecipe {
  name: string;
  description: string;
  /** Passed to createClip: a registered base plus overrides. */
  model: ClipConfigInput & { base: string };
  /** The cosine schedule ends at lr * minLrRatio. */
  minLrRatio: number;
  /** Random affine augmentation of the images (small shifts, rotations, scaling). */
  augment: boolean;
  checkpointEvery: number;
  /**
   * Start some weights from another trained model instead of random values: `from` is an
   * embedded model ('old', 'new', 'new-lineage') or a model folder; `weights` are exact weight
   * names (e.g. "text.token_embedding") or prefixes ending in "*" ("text.*": the text tower). Models released as upgrades often do this (EVA-CLIP
   * starts its text tower from OpenAI CLIP), which keeps their token spaces related.
   */
  warmStart?: { from: string; weights: string[] };
}

const NUMERIC: (keyof PretrainConfig)[] = ['seed', 'steps', 'batchSize', 'lr', 'warmupSteps', 'minLrRatio', 'weightDecay', 'clipGradNorm', 'checkpointEvery'];

/** Reads and checks a recipe file; the error names the field and the file. */
export function readPretrainConfig(path: string): PretrainConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read pretraining config ${path}: ${(err as Error).message}`);
  }
  for (const key of NUMERIC) {
    if (typeof raw[key] !== 'number' || !Number.isFinite(raw[key])) throw new Error(`${path}: "${key}" must be a number, got ${JSON.stringify(raw[key])}`);
  }
  if (typeof raw.name !== 'string' || !raw.name) throw new Error(`${path}: "name" must be a non-empty string`);
  const model = raw.model as PretrainConfig['model'] | undefined;
  if (!model || typeof model.base !== 'string') throw new Error(`${path}: "model.base" must name a registered config (e.g. "hotplug-old")`);
  if (typeof raw.augment !== 'boolean') throw new Error(`${path}: "augment" must be true or false`);
  const warm = raw.warmStart as PretrainConfig['warmStart'] | undefined;
  if (warm !== undefined) {
    if (
      !warm ||
      typeof warm.from !== 'string' ||
      !warm.from ||
      !Array.isArray(warm.weights) ||
      warm.weights.length === 0 ||
      warm.weights.some((w) => typeof w !== 'string')
    )
      throw new Error(`${path}: "warmStart" must be { "from": "old" | "new" | "<model folder>", "weights": ["<weight name>", ...] }`);
  }
  return raw as unknown as PretrainConfig;
}
