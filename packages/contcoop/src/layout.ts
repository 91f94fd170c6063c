import * as tf from '@tensorflow/tfjs-core';
import type { PromptTarget } from './target';

/** Where the class-name tokens go relative to the context (CoOp's `CLASS_TOKEN_POSITION`). */
export type ClassPosition = 'end' | 'middle' | 'front';
export const CLASS_POSITIONS: readonly ClassPosition[] = ['end', 'middle', 'front'];

/** One position of a prompt: learned context vector j, or a fixed token of the vocabulary. */
export type Slot = { ctx: number } | { token: number };

/** The token layout of every class prompt, padded to the context length. */
export interface PromptLayout {
  readonly nCtx: number;
  /** slots[c] has contextLength entries. */
  readonly slots: readonly (readonly Slot[])[];
  /** Position of the EOS token of each class prompt (where the text encoder pools). */
  readonly eot: readonly number[];
}

/**
 * CoOp's layout: [SOS] context + class tokens in the chosen order ['.'] [EOS] [pad...].
 * 'middle' puts floor(M/2) context vectors before the class name and the rest after it.
 */
export function promptLayout(target: PromptTarget, nCtx: number, position: ClassPosition): PromptLayout {
  if (!Number.isInteger(nCtx) || nCtx < 1) throw new Error(`nCtx (number of context vectors) must be a positive integer, got ${nCtx}`);
  if (!CLASS_POSITIONS.includes(position)) throw new Error(`unknown class position "${position}"; use one of ${CLASS_POSITIONS.join(', ')}`);
  const tok = target.tokenizer;
  const ctx = (from: number, to: number): Slot[] => Array.from({ length: to - from }, (_, i) => ({ ctx: from + i }));
  const slots: Slot[][] = [];
  const eot: number[] = [];
  target.classTokens.forEach((name, c) => {
    const nameSlots: Slot[] = name.map((id) => ({ token: id }));
    const half = Math.floor(nCtx / 2);
    const body =
      position === 'end'
        ? [...ctx(0, nCtx), ...nameSlots]
        : position === 'front'
          ? [...nameSlots, ...ctx(0, nCtx)]
          : [...ctx(0, half), ...nameSlots, ...ctx(half, nCtx)];
    const row: Slot[] = [{ token: tok.sotTokenId }, ...body, ...target.periodTokens.map((id) => ({ token: id }))];
    const needed = row.length + 1;
    if (needed > target.contextLength)
      throw new Error(
        `the prompt of class "${target.classNames[c]}" needs ${needed} tokens (SOS + ${nCtx} context + ${name.length} class-name + ${target.periodTokens.length} '.' + EOS) but the model's context length is ${target.contextLength}; use fewer context vectors (nCtx) or a shorter class name`,
      );
    eot.push(row.length);
    row.push({ token: tok.eotTokenId });
    while (row.length < target.contextLength) row.push({ token: tok.padTokenId });
    slots.push(row);
  });
  return { nCtx, slots, eot };
}

/**
 * Which context group each prompt uses: 'shared' (one context for all classes, ctx [1, M, W]),
 * 'class' (ctx [C, M, W]), 'image' (ctx [B, M, W]; prompts for every image x class, image-major).
 */
export type ContextGroups = 'shared' | 'class' | 'image';

/**
 * Token embeddings [P, contextLength, width] of the prompts, by one gather from the context
 * vectors and the fixed token rows read from the model in use; gradients reach `ctx`.
 */
export function assemblePrompts(
  target: PromptTarget,
  layout: PromptLayout,
  ctx: tf.Tensor3D,
  groups: ContextGroups,
): { embeddings: tf.Tensor3D; eot: number[] } {
  const [g, m, w] = ctx.shape;
  if (m !== layout.nCtx) throw new Error(`context has ${m} vectors but the layout expects ${layout.nCtx}`);
  if (w !== target.tokenWidth)
    throw new Error(
      `context vectors have width ${w} but model "${target.model.clip.config.name}" has token-embedding width ${target.tokenWidth}; a learned prompt transfers only between models with the same token width`,
    );
  const C = target.numClasses;
  if (groups === 'shared' && g !== 1) throw new Error(`shared context must have 1 group, got ${g}`);
  if (groups === 'class' && g !== C) throw new Error(`class-specific context has ${g} groups for ${C} classes; it was learned for a task with ${g} classes`);
  const L = target.contextLength;
  const prompts = groups === 'image' ? g * C : C;
  const index = new Int32Array(prompts * L);
  const eot: number[] = [];
  for (let p = 0; p < prompts; p++) {
    const c = p % C;
    const group = groups === 'shared' ? 0 : groups === 'class' ? c : Math.floor(p / C);
    layout.slots[c]!.forEach((slot, i) => {
      index[p * L + i] = 'ctx' in slot ? group * m + slot.ctx : g * m + target.fixedRow(slot.token);
    });
    eot.push(layout.eot[c]!);
  }
  const embeddings = tf.tidy(() => {
    const table = tf.concat([tf.reshape(ctx, [g * m, w]), target.fixedRows()], 0);
    return tf.reshape(tf.gather(table, tf.tensor1d(index, 'int32')), [prompts, L, w]) as tf.Tensor3D;
  });
  return { embeddings, eot };
}
