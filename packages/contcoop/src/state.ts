import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsReader, writeSafetensors } from '@hotplug/backbones';
import type { LearnerShape, PromptLearner } from './learner';
import { createLearner } from './registry';

/** Marks a prompt-state file in the safetensors metadata. */
export const PROMPT_FORMAT = 'hotplug-prompt';

/**
 * Writes the learned state only (atomically): the learner's parameters as float32
 * safetensors, with kind, options and shape in the metadata. Nothing read from a model
 * (class-name embeddings, zero-shot features) is stored.
 */
export function saveLearner(learner: PromptLearner, path: string): void {
  const params = [...learner.parameters()];
  writeSafetensors(
    path,
    params.map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array })),
    { format: PROMPT_FORMAT, kind: learner.kind, config: JSON.stringify(learner.config), shape: JSON.stringify(learner.shape) },
  );
}

/** Reads a state written by saveLearner and rebuilds the learner; every tensor is checked before any is assigned. */
export function loadLearner(path: string): PromptLearner {
  const reader = SafetensorsReader.open(path);
  try {
    const meta = reader.metadata;
    if (meta.format !== PROMPT_FORMAT)
      throw new Error(`${path} is not a prompt-learner state (metadata format "${meta.format ?? '(none)'}", expected "${PROMPT_FORMAT}"); write it with saveLearner`);
    let config: Record<string, unknown>;
    let shape: LearnerShape;
    try {
      config = JSON.parse(meta.config ?? '');
      shape = JSON.parse(meta.shape ?? '');
    } catch {
      throw new Error(`${path}: the prompt state's metadata (config/shape) is not valid JSON; the file is corrupt, save it again`);
    }
    const learner = createLearner(meta.kind ?? '', shape, { options: config });
    try {
      const params = learner.parameters();
      const problems: string[] = [];
      for (const [name, v] of params) {
        const e = reader.entries.get(name);
        if (!e) problems.push(`missing tensor "${name}"`);
        else if (e.shape.join(',') !== v.shape.join(',')) problems.push(`tensor "${name}" is [${e.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
      }
      for (const name of reader.names) if (!params.has(name)) problems.push(`unexpected tensor "${name}"`);
      if (problems.length) throw new Error(`${path} does not match a ${learner.kind} learner with its stored options: ${problems.join('; ')}`);
      for (const [name, v] of params) {
        const values = tf.tensor(reader.readFloat32(name), v.shape);
        v.assign(values);
        values.dispose();
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
