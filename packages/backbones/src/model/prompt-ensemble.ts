import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@hotplug/runtime';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { TextEncoder } from './encoder';

/**
 * The prompts of each class: either already written out (`prompts[c]` = the prompts of
 * class c) or class names × templates with `{}` where the name goes (the shape of
 * `classPrompts()` of @hotplug/data, which carries both; the written-out prompts win).
 */
export type ClassPromptSet =
  | readonly (readonly string[])[]
  | { readonly classNames: readonly string[]; readonly templates: readonly string[]; readonly prompts?: readonly (readonly string[])[] };

/** One unit-length text embedding per class, [classes, dim] row-major. */
export interface ClassEmbeddings {
  readonly data: Float32Array;
  readonly classes: number;
  readonly dim: number;
}

export interface PromptEnsembleOptions {
  /** Prompts encoded per `encode` call (default 256): bounds memory for classes × templates in the thousands. */
  batchSize?: number;
}

/** A prompt set that cannot be ensembled (no classes, a class without prompts, a template without `{}`). */
export class PromptSetError extends InputError {
  override name = 'PromptSetError';
}

/** The written-out prompts of every class. */
export function expandClassPrompts(set: ClassPromptSet): string[][] {
  if (Array.isArray(set)) return (set as readonly (readonly string[])[]).map((p) => [...p]);
  const s = set as Exclude<ClassPromptSet, readonly (readonly string[])[]>;
  if (s.prompts) return s.prompts.map((p) => [...p]);
  const bad = s.templates.find((t) => !t.includes('{}'));
  if (bad !== undefined) throw new PromptSetError(`template "${bad}" has no "{}" for the class name; write it like "a photo of a {}."`);
  return s.classNames.map((c) => s.templates.map((t) => t.replaceAll('{}', c)));
}

/**
 * CLIP's prompt ensembling: every prompt of a class encoded by the text encoder and
 * L2-normalised, the unit vectors averaged per class, and the mean renormalised. Works over
 * the `TextEncoder` interface, so the tfjs text transformer and an onnxruntime export give
 * the same classifier. Prompts are encoded in chunks of `batchSize` across classes; sums are
 * kept in float64 so the result does not depend on the chunking.
 */
export async function promptEnsemble(
  encoder: TextEncoder,
  tokenizer: Tokenizer,
  set: ClassPromptSet,
  options: PromptEnsembleOptions = {},
): Promise<ClassEmbeddings> {
  const prompts = expandClassPrompts(set);
  if (prompts.length === 0) throw new PromptSetError('the prompt set has no classes; give at least one class with one prompt');
  const empty = prompts.findIndex((p) => p.length === 0);
  if (empty >= 0) throw new PromptSetError(`class ${empty} has no prompts; every class needs at least one (a template filled with its name)`);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new PromptSetError(`batchSize must be a positive integer, got ${batchSize}`);
  const dim = encoder.embedDim;
  const flat = prompts.flatMap((list, c) => list.map((text) => ({ text, c })));
  const sums = new Float64Array(prompts.length * dim);
  for (let start = 0; start < flat.length; start += batchSize) {
    const chunk = flat.slice(start, start + batchSize);
    const ids = tokenizer.encodeBatch(chunk.map((p) => p.text));
    let emb: tf.Tensor2D | undefined;
    try {
      emb = await encoder.encode(ids, { batchSize });
      if (emb.shape[1] !== dim) throw new PromptSetError(`the text encoder returned ${emb.shape[1]}-dim embeddings but says embedDim = ${dim}`);
      const values = await emb.data();
      chunk.forEach(({ c }, i) => {
        let norm = 0;
        for (let d = 0; d < dim; d++) norm += values[i * dim + d]! ** 2;
        // A zero embedding has no direction: it adds nothing rather than NaN.
        const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (let d = 0; d < dim; d++) sums[c * dim + d]! += values[i * dim + d]! * inv;
      });
    } finally {
      tf.dispose([ids, ...(emb ? [emb] : [])]);
    }
  }
  const data = new Float32Array(prompts.length * dim);
  for (let c = 0; c < prompts.length; c++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += sums[c * dim + d]! ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) data[c * dim + d] = sums[c * dim + d]! * inv;
  }
  return { data, classes: prompts.length, dim };
}
