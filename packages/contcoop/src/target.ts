import * as tf from '@tensorflow/tfjs-core';
import type { Clip, Tokenizer } from '@hotplug/backbones';

/** A model prompts are built for: a CLIP-style model and its tokenizer. */
export interface PromptModel {
  clip: Clip;
  tokenizer: Tokenizer;
}

export interface TargetOptions {
  /** Hand-written prompts per class (prompts[c][t]), for zero-shot features (zeroshot, kgcoop, contcoop). Default: "a photo of a {}." */
  zeroShotPrompts?: readonly (readonly string[])[];
}

/**
 * One model in use plus the class names of one task. Everything a learner reads from the
 * model (token embeddings of SOS/EOS/'.'/class names, the text encoder, the logit scale,
 * zero-shot class features) comes from here, so the same learned state can be applied to
 * another model by binding another target. Creating a target freezes the model.
 */
export class PromptTarget {
  readonly classNames: readonly string[];
  /** Token ids of each class name (no specials). */
  readonly classTokens: readonly (readonly number[])[];
  readonly periodTokens: readonly number[];
  readonly contextLength: number;
  readonly tokenWidth: number;
  readonly embedDim: number;
  /** exp(logit_scale) of the model, the softmax temperature CLIP was trained with. */
  readonly logitScale: number;
  /** Distinct token ids prompts use, and the row of each in `fixedRows`. */
  readonly fixedIds: readonly number[];
  private readonly fixedIndex = new Map<number, number>();
  private fixed: tf.Tensor2D | null = null;
  private zeroShot: tf.Tensor2D | null = null;
  private readonly prompts: readonly (readonly string[])[];

  constructor(
    readonly model: PromptModel,
    classNames: readonly string[],
    options: TargetOptions = {},
  ) {
    if (classNames.length < 2) throw new Error(`a prompt target needs at least 2 class names, got ${classNames.length}`);
    const { clip, tokenizer } = model;
    if (tokenizer.contextLength !== clip.config.text.contextLength)
      throw new Error(
        `tokenizer context length ${tokenizer.contextLength} != model "${clip.config.name}" text.contextLength ${clip.config.text.contextLength}; load the tokenizer that came with the model`,
      );
    clip.freeze();
    this.classNames = [...classNames];
    this.classTokens = classNames.map((name) => {
      const ids = tokenizer.tokenize(name);
      if (ids.length === 0) throw new Error(`class name "${name}" tokenizes to nothing; give every class a non-empty name`);
      return ids;
    });
    this.periodTokens = tokenizer.tokenize('.');
    this.contextLength = tokenizer.contextLength;
    this.tokenWidth = clip.text.tokenWidth;
    this.embedDim = clip.config.embedDim;
    this.logitScale = Math.exp(clip.logitScale.dataSync()[0]!);
    const ids = new Set<number>([tokenizer.sotTokenId, tokenizer.eotTokenId, tokenizer.padTokenId, ...this.periodTokens, ...this.classTokens.flat()]);
    this.fixedIds = [...ids];
    this.fixedIds.forEach((id, row) => {
      this.fixedIndex.set(id, row);
    });
    const templates = options.zeroShotPrompts;
    if (templates && templates.length !== classNames.length)
      throw new Error(`zeroShotPrompts has ${templates.length} lists for ${classNames.length} classes; give one list of prompts per class`);
    this.prompts = templates ?? classNames.map((c) => [`a photo of a ${c}.`]);
  }

  get tokenizer(): Tokenizer {
    return this.model.tokenizer;
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  /** Token embeddings [fixedIds.length, width] of every fixed prompt token, read from the model in use. */
  fixedRows(): tf.Tensor2D {
    if (!this.fixed) {
      // kept: it may first be built inside a training step's scope and must outlive it.
      this.fixed = tf.keep(tf.tidy(() => tf.gather(this.model.clip.text.tokenEmbedding, tf.tensor1d(this.fixedIds as number[], 'int32')) as tf.Tensor2D));
    }
    return this.fixed;
  }

  /** Row of a token id in `fixedRows()`. */
  fixedRow(id: number): number {
    const row = this.fixedIndex.get(id);
    if (row === undefined) throw new Error(`token ${id} is not among this target's prompt tokens`);
    return row;
  }

  /** Token embeddings [tokens, width] of one class name, from the model in use. */
  classNameEmbeddings(c: number): tf.Tensor2D {
    return tf.tidy(
      () =>
        tf.gather(
          this.fixedRows(),
          tf.tensor1d(
            this.classTokens[c]!.map((id) => this.fixedRow(id)),
            'int32',
          ),
        ) as tf.Tensor2D,
    );
  }

  /** The hand-written prompts' class features [C, D]: each prompt encoded and L2-normalised, averaged per class, renormalised (CLIP's ensembling). */
  zeroShotFeatures(): tf.Tensor2D {
    if (!this.zeroShot) {
      this.zeroShot = tf.keep(
        tf.tidy(() => {
          const rows = this.prompts.map((list) => {
            const e = this.model.clip.text.encodeTokens(this.tokenizer.encodeBatch(list)).embedding as tf.Tensor2D;
            const mean = tf.mean(l2Normalize(e), 0);
            return tf.div(mean, tf.norm(mean));
          });
          return tf.stack(rows) as tf.Tensor2D;
        }),
      );
    }
    return this.zeroShot;
  }

  /** Releases the tensors cached from the model (not the model). */
  dispose(): void {
    this.fixed?.dispose();
    this.zeroShot?.dispose();
    this.fixed = null;
    this.zeroShot = null;
  }
}

/** Rows scaled to unit L2 norm (epsilon inside the root keeps zero rows finite). */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as T;
}
