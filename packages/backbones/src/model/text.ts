import * as tf from '@tensorflow/tfjs-core';
import type { ClipConfig } from '../config';
import { tfjsOps } from '../ops/tfjs-ops';
import type { TensorOps } from '../ops/types';
import type { ParamStore } from './params';
import { TfjsEncoderBase, type EncoderOutput, type TraceOptions } from './encoder';
import { createBlocks, runBlock, type TransformerShape } from './transformer';

/** What the text encoder reads: token ids, or token embeddings with the pooled positions. */
export type TextInput<T> = { ids: T } | { embeddings: T; eotIndices: T };

/** CLIP text transformer: token + positional embedding, causal pre-LN blocks, final LN, EOT pooling, projection. */
export class TextTransformer extends TfjsEncoderBase<tf.Tensor2D> {
  readonly embedDim: number;
  readonly shape: TransformerShape;

  constructor(config: ClipConfig, store: ParamStore) {
    super(config, store, 'text');
    this.embedDim = config.embedDim;
    const t = config.text;
    this.shape = {
      width: t.width,
      depth: t.depth,
      heads: t.heads,
      mlpRatio: t.mlpRatio,
      activation: t.activation,
      epsilon: config.layerNormEpsilon,
      causal: true,
    };
    store.create('text.token_embedding', [t.vocabSize, t.width], { kind: 'normal', std: 0.02 });
    store.create('text.pos_embed', [t.contextLength, t.width], { kind: 'normal', std: 0.01 });
    createBlocks(store, 'text', this.shape);
    store.create('text.ln_final.gamma', [t.width], { kind: 'ones' });
    store.create('text.ln_final.beta', [t.width], { kind: 'zeros' });
    store.create('text.proj.weight', [t.width, config.embedDim], { kind: 'normal', std: t.width ** -0.5 });
  }

  /** The token-embedding table [vocabSize, width] (prompt learners read class-name embeddings from it). */
  get tokenEmbedding(): tf.Variable {
    return this.store.get('text.token_embedding');
  }

  /** Width of token embeddings (what `encodeEmbeddings` takes). */
  get tokenWidth(): number {
    return this.config.text.width;
  }

  trace<T>(ops: TensorOps<T>, input: TextInput<T>, options: TraceOptions = {}): EncoderOutput<T> {
    const t = this.config.text;
    const w = (name: string) => ops.weight(name, this.store.get(name));
    const embeddings = 'ids' in input ? ops.embed(w('text.token_embedding'), input.ids) : input.embeddings;
    const eot = 'ids' in input ? ops.firstIndexOf(input.ids, t.eotTokenId) : input.eotIndices;
    let x = ops.add(embeddings, w('text.pos_embed'));
    const ctx = { ops, store: this.store, prefix: 'text', encoder: 'text' as const, hooks: this.hooks, extraHooks: options.hooks ?? [] };
    const tokens = new Map<number, T>();
    for (let i = 0; i < t.depth; i++) {
      x = runBlock(ctx, this.shape, i, x);
      if (this.wantsTokens(options, i)) tokens.set(i, x);
    }
    x = ops.layerNorm(x, w('text.ln_final.gamma'), w('text.ln_final.beta'), this.config.layerNormEpsilon);
    return this.project(ops, ops.gatherTokens(x, eot), w('text.proj.weight'), tokens, ctx.extraHooks);
  }

  /** Looks token ids up in the embedding table: [B, T] -> [B, T, width] (no positional embedding). */
  embedTokens(ids: tf.Tensor2D): tf.Tensor3D {
    this.validate(ids);
    return tfjsOps.embed(this.tokenEmbedding, ids) as tf.Tensor3D;
  }

  /** Differentiable forward pass from token ids [B, contextLength]. */
  encodeTokens(ids: tf.Tensor2D, options?: TraceOptions): EncoderOutput<tf.Tensor> {
    this.validate(ids);
    return this.trace(tfjsOps, { ids }, options);
  }

  /**
   * Differentiable forward pass from token embeddings [B, contextLength, width] (e.g. learned
   * prompt vectors spliced between SOT and class tokens) and the EOT position of each row.
   */
  encodeEmbeddings(embeddings: tf.Tensor3D, eotIndices: tf.Tensor1D | number[], options?: TraceOptions): EncoderOutput<tf.Tensor> {
    const t = this.config.text;
    if (embeddings.rank !== 3 || embeddings.shape[1] !== t.contextLength || embeddings.shape[2] !== t.width)
      throw new Error(
        `encodeEmbeddings expects embeddings [batch, ${t.contextLength}, ${t.width}] (contextLength, token width), got [${embeddings.shape.join(', ')}]`,
      );
    const eot = Array.isArray(eotIndices) ? tf.tensor1d(eotIndices, 'int32') : eotIndices;
    try {
      const positions = eot.dataSync();
      if (eot.rank !== 1 || eot.shape[0] !== embeddings.shape[0])
        throw new Error(`encodeEmbeddings needs one EOT index per row: got ${eot.shape[0]} for batch ${embeddings.shape[0]}`);
      for (const p of positions)
        if (!Number.isInteger(p) || p < 0 || p >= t.contextLength) throw new Error(`EOT index ${p} is outside 0..${t.contextLength - 1}`);
      return this.trace(tfjsOps, { embeddings, eotIndices: eot }, options);
    } finally {
      if (eot !== eotIndices) eot.dispose();
    }
  }

  protected embedChunk(chunk: tf.Tensor2D): tf.Tensor2D {
    return this.trace(tfjsOps, { ids: chunk }).embedding as tf.Tensor2D;
  }

  protected validate(ids: tf.Tensor2D): void {
    const t = this.config.text;
    if (!(ids instanceof tf.Tensor)) throw new Error('text encoder input must be a tf.Tensor2D of token ids [batch, contextLength]');
    if (ids.rank !== 2 || ids.shape[1] !== t.contextLength)
      throw new Error(
        `text encoder "${this.config.name}" expects token ids [batch, ${t.contextLength}], got [${ids.shape.join(', ')}]; use the model's tokenizer, which pads and truncates to the context length`,
      );
    if (ids.dtype !== 'int32') throw new Error(`token ids must be int32, got ${ids.dtype}`);
    const data = ids.dataSync();
    for (let r = 0; r < ids.shape[0]; r++) {
      let hasEot = false;
      for (let c = 0; c < t.contextLength; c++) {
        const id = data[r * t.contextLength + c]!;
        if (id < 0 || id >= t.vocabSize) throw new Error(`token id ${id} in row ${r} is outside the vocabulary 0..${t.vocabSize - 1}`);
        if (id === t.eotTokenId) hasEot = true;
      }
      if (!hasEot) throw new Error(`row ${r} of the token ids has no EOT token (id ${t.eotTokenId}); the encoder pools at the first EOT`);
    }
  }
}
