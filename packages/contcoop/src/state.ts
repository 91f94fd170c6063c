import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { SafetensorsReader, writeSafetensors } from '@hotplug/backbones';
import { InputError, checkIdentity, parseJson, sha256, validate, weightsFingerprint, type ModelIdentity } from '@hotplug/runtime';
import type { LearnerShape, PromptLearner } from './learner';
import type { PromptModel, PromptTarget } from './target';
import { createLearner } from './registry';
import { CONTCOOP_LEGACY_OPTIONS } from './learners/contcoop';

/**
 * Per learner kind, the value an option had before it existed: a state saved then lacks it and
 * must be rebuilt the way it was trained, not with today's default.
 */
const LEGACY_OPTIONS: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map([['contcoop', CONTCOOP_LEGACY_OPTIONS]]);

/** Marks a prompt-state file in the safetensors metadata. */
export const PROMPT_FORMAT = 'hotplug-prompt';

/** A prompt-state file whose metadata is malformed or does not match its tensors. */
export class PromptStateError extends InputError {
  override name = 'PromptStateError';
}

/** Limits of a stored learner's declared shape, checked before the learner is built. */
export const PROMPT_LIMITS = { tokenWidth: 1 << 14, embedDim: 1 << 14, numClasses: 100_000 };

const identity = z.strictObject({
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits (weightsFingerprint)'),
  name: z.string().max(500).optional(),
});
const ShapeSchema = z.strictObject({
  tokenWidth: z.number().int().positive().max(PROMPT_LIMITS.tokenWidth),
  embedDim: z.number().int().positive().max(PROMPT_LIMITS.embedDim),
  numClasses: z.number().int().positive().max(PROMPT_LIMITS.numClasses),
});
/** Which model and which class list a state was trained on (the class list is its output space). */
const TrainedOnSchema = z.strictObject({ model: identity, classes: identity });

/** Identity of a prompt model: fingerprint of all its weights (text and image towers, token table). */
export function promptModelIdentity(model: PromptModel): ModelIdentity {
  return { fingerprint: weightsFingerprint(model.clip.namedWeights()), name: model.clip.config.name };
}

/** Identity of a task's class list, in order (a prompt state's output space). */
export function classListIdentity(classNames: readonly string[]): ModelIdentity {
  const shown = classNames.slice(0, 3).join(', ') + (classNames.length > 3 ? `, … (${classNames.length} classes)` : '');
  return { fingerprint: sha256(JSON.stringify(classNames)).slice(0, 16), name: shown };
}

/**
 * Writes the learned state only (atomically): the learner's parameters as float32
 * safetensors, with kind, options and shape in the metadata. Nothing read from a model
 * (class-name embeddings, zero-shot features) is stored. With `trainedOn` (the target it was
 * trained on), the model's and the class list's fingerprints are recorded, so loadLearner can
 * refuse another model unless the caller means to transfer it.
 */
export function saveLearner(learner: PromptLearner, path: string, trainedOn?: PromptTarget): void {
  const params = [...learner.parameters()];
  const identityMeta: Record<string, string> = trainedOn
    ? { trainedOn: JSON.stringify({ model: promptModelIdentity(trainedOn.model), classes: classListIdentity(trainedOn.classNames) }) }
    : {};
  writeSafetensors(
    path,
    params.map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array })),
    { format: PROMPT_FORMAT, kind: learner.kind, config: JSON.stringify(learner.config), shape: JSON.stringify(learner.shape), ...identityMeta },
  );
}

export interface LoadLearnerOptions {
  /**
   * The target it is about to be used with: its model and class list are checked against the
   * recorded ones (IdentityMismatchError naming both). Plugging a prompt into another model is
   * what ContCoOp is for: pass `force` (or `transfer`) when that is the intent.
   */
  target?: PromptTarget;
  /** Accept another model or class list, with a warning. */
  force?: boolean;
  warn?: (message: string) => void;
}

const FIX = 'the file is corrupt or from another program; save it again with saveLearner';

/** Reads a state written by saveLearner and rebuilds the learner; the metadata is schema-checked and every tensor checked before any is assigned. */
export function loadLearner(path: string, options: LoadLearnerOptions = {}): PromptLearner {
  const reader = SafetensorsReader.open(path);
  try {
    const meta = reader.metadata;
    if (meta.format !== PROMPT_FORMAT)
      throw new PromptStateError(
        `${path} is not a prompt-learner state (metadata format "${meta.format ?? '(none)'}", expected "${PROMPT_FORMAT}"); write it with saveLearner`,
        path,
        'format',
      );
    const field = <S extends z.ZodType>(name: string, schema: S) =>
      validate(schema, parseJson(meta[name] ?? '', `${path} metadata "${name}"`, FIX, PromptStateError), `${path} metadata "${name}"`, FIX, PromptStateError);
    if (typeof meta.kind !== 'string' || meta.kind === '') throw new PromptStateError(`${path}: metadata "kind" is missing; ${FIX}`, path, 'kind');
    const config = field('config', z.record(z.string(), z.unknown()));
    const shape: LearnerShape = field('shape', ShapeSchema);
    const trainedOn = meta.trainedOn === undefined ? undefined : field('trainedOn', TrainedOnSchema);
    if (options.target) {
      const check = { force: options.force, warn: options.warn };
      checkIdentity(`the ${meta.kind} prompt state`, path, trainedOn?.model, promptModelIdentity(options.target.model), { ...check, role: 'model' });
      checkIdentity(`the ${meta.kind} prompt state`, path, trainedOn?.classes, classListIdentity(options.target.classNames), { ...check, role: 'class list' });
    }
    let learner: PromptLearner;
    try {
      learner = createLearner(meta.kind, shape, { options: { ...LEGACY_OPTIONS.get(meta.kind), ...config } });
    } catch (err) {
      throw new PromptStateError(`${path}: cannot rebuild a "${meta.kind}" learner from the stored options: ${(err as Error).message}`, path, 'config');
    }
    try {
      const params = learner.parameters();
      const problems: string[] = [];
      for (const [name, v] of params) {
        const e = reader.entries.get(name);
        if (!e) problems.push(`missing tensor "${name}"`);
        else if (e.shape.join(',') !== v.shape.join(',')) problems.push(`tensor "${name}" is [${e.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
      }
      for (const name of reader.names) if (!params.has(name)) problems.push(`unexpected tensor "${name}"`);
      if (problems.length) throw new PromptStateError(`${path} does not match a ${learner.kind} learner with its stored options: ${problems.join('; ')}`, path);
      const values = new Map<string, Float32Array>();
      for (const name of params.keys()) {
        const data = reader.readFloat32(name);
        if (!data.every(Number.isFinite)) throw new PromptStateError(`${path}: tensor "${name}" holds NaN or infinite values; ${FIX}`, path, name);
        values.set(name, data);
      }
      for (const [name, v] of params) {
        const t = tf.tensor(values.get(name)!, v.shape);
        v.assign(t);
        t.dispose();
      }
      return learner;
    } catch (err) {
      learner.dispose();
      throw err;
    }
  } finally {
    reader.close();
  }
}
