import * as tf from '@tensorflow/tfjs-core';
import type { ClipConfig } from '../config';
import { HookSet, type EncoderHooks, type EncoderName, type FinalHookArgs } from './hooks';
import type { ParamStore } from './params';
import type { TensorOps } from '../ops/types';

/** What every encoder offers, whether it runs in tfjs or in onnxruntime. */
export interface Encoder<In> {
  readonly embedDim: number;
  /** Embeddings [batch, embedDim] (not normalised), computed in chunks of `batchSize`. */
  encode(batch: In, options?: { batchSize?: number }): Promise<tf.Tensor2D>;
  dispose(): void;
}
/** Images NHWC float32 [batch, H, W, C], already normalised. */
export type ImageEncoder = Encoder<tf.Tensor4D>;
/** Token ids int32 [batch, contextLength] with SOT/EOT, as the tokenizer returns them. */
export type TextEncoder = Encoder<tf.Tensor2D>;

export interface TraceOptions {
  /** Block outputs to return (true: every block). */
  returnTokens?: boolean | readonly number[];
  /** Hooks for this call only, run after the installed ones. */
  hooks?: readonly EncoderHooks[];
}

export interface EncoderOutput<T> {
  /** Projected embedding [B, embedDim]. */
  embedding: T;
  /** Final pooled feature before projection [B, width] (after the last LayerNorm). */
  pooled: T;
  /** Requested block outputs [B, tokens, width], keyed by block index. */
  tokens: Map<number, T>;
}

/** Variables, hooks and chunked encoding shared by the tfjs image and text encoders. */
export abstract class TfjsEncoderBase<In extends tf.Tensor> implements Encoder<In> {
  readonly hooks = new HookSet();
  abstract readonly embedDim: number;

  constructor(
    readonly config: ClipConfig,
    protected readonly store: ParamStore,
    readonly name: EncoderName,
  ) {}

  /** Installs adapter hooks; returns a function that removes them. */
  addHooks(hooks: EncoderHooks): () => void {
    return this.hooks.add(hooks);
  }

  /** This encoder's variables by checkpoint name (prefix `visual.` or `text.`). */
  namedWeights(): Map<string, tf.Variable> {
    return new Map(this.store.entries().filter(([n]) => n.startsWith(`${this.name}.`)));
  }

  /** Makes every variable of this encoder non-trainable (so optimizers and gradients skip them). */
  freeze(): void {
    for (const v of this.namedWeights().values()) v.trainable = false;
  }

  unfreeze(): void {
    for (const v of this.namedWeights().values()) v.trainable = true;
  }

  protected wantsTokens(options: TraceOptions | undefined, block: number): boolean {
    const r = options?.returnTokens;
    return r === true || (Array.isArray(r) && r.includes(block));
  }

  /** Final pooled feature -> (hooks) -> projection -> (hooks). */
  protected project<T>(ops: TensorOps<T>, pooledIn: T, projection: T, tokens: Map<number, T>, extra: readonly EncoderHooks[]): EncoderOutput<T> {
    const final = (kind: 'pooled' | 'embedding', pooled: T, output: T) =>
      this.hooks.size > 0 || extra.length > 0 ? this.hooks.run<T, FinalHookArgs<T>>(kind, { ops, encoder: this.name, pooled, output }, extra) : output;
    const pooled = final('pooled', pooledIn, pooledIn);
    const embedding = final('embedding', pooled, ops.linear(pooled, projection));
    return { embedding, pooled, tokens };
  }

  protected abstract embedChunk(chunk: In): tf.Tensor2D;
  protected abstract validate(batch: In): void;

  async encode(batch: In, options: { batchSize?: number } = {}): Promise<tf.Tensor2D> {
    this.validate(batch);
    const size = options.batchSize ?? 64;
    if (!Number.isInteger(size) || size <= 0) throw new Error(`batchSize must be a positive integer, got ${size}`);
    const n = batch.shape[0];
    if (!n) throw new Error('encode got an empty batch (0 rows)');
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      parts.push(tf.tidy(() => this.embedChunk(count === n ? batch : (tf.slice(batch, start, count) as In))));
      await tf.nextFrame(); // lets other work run between chunks
    }
    if (parts.length === 1) return parts[0]!;
    const all = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return all;
  }

  /** Frees this encoder's variables; the encoder cannot be used afterwards. */
  dispose(): void {
    this.store.disposePrefix(`${this.name}.`);
  }
}
