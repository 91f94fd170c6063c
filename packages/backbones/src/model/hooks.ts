import type { TensorOps } from '../ops/types';

export type EncoderName = 'visual' | 'text';
export type SublayerName = 'attention' | 'mlp';
export type LinearName = 'q' | 'k' | 'v' | 'out' | 'fc1' | 'fc2';

interface HookBase<T> {
  ops: TensorOps<T>;
  encoder: EncoderName;
  block: number;
}

/** A sub-layer (attention or MLP) of one block: `input` is the residual stream before it. */
export interface SublayerHookArgs<T> extends HookBase<T> {
  sublayer: SublayerName;
  input: T;
  /** The sub-layer's LayerNorm output (what attention/MLP actually read). */
  normed: T;
  /** The sub-layer's output before it is added to the residual stream. */
  output: T;
}

export interface LinearHookArgs<T> extends HookBase<T> {
  linear: LinearName;
  input: T;
  output: T;
}

/**
 * The MLP's hidden layer of one block after its non-linearity, [batch, tokens, mlpWidth]
 * (`output`, what fc2 reads), with fc1's output before the activation (`preActivation`).
 * Where IA3 rescales the MLP (Liu et al. 2022); a `linear` hook on fc1 acts before the activation.
 */
export interface MlpHiddenHookArgs<T> extends HookBase<T> {
  preActivation: T;
  output: T;
}

export interface BlockHookArgs<T> extends HookBase<T> {
  input: T;
  output: T;
}

/** The encoder's final feature: `pooled` before projection, `embedding` after it (absent for the `pooled` hook). */
export interface FinalHookArgs<T> {
  ops: TensorOps<T>;
  encoder: EncoderName;
  pooled: T;
  output: T;
}

/** What a hook returns: a replacement output, or nothing to keep the one it was given. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes has no return statement; `void` lets it type-check without a `return undefined`
export type HookResult<T> = T | void;

/**
 * Hooks an adapter installs without forking the model. A hook that returns a value
 * replaces the output it was given. Hooks are generic over the tensor type, so the same
 * adapter code runs eagerly in tfjs and is recorded into an ONNX export.
 */
export interface EncoderHooks {
  /** Which blocks the hooks apply to (default: all). */
  blocks?: readonly number[] | ((block: number) => boolean);
  sublayer?<T>(args: SublayerHookArgs<T>): HookResult<T>;
  linear?<T>(args: LinearHookArgs<T>): HookResult<T>;
  /** The MLP hidden activation after the non-linearity (fc2's input). */
  mlpHidden?<T>(args: MlpHiddenHookArgs<T>): HookResult<T>;
  block?<T>(args: BlockHookArgs<T>): HookResult<T>;
  /** The pooled feature before projection (`output` is the pooled feature); not limited by `blocks`. */
  pooled?<T>(args: FinalHookArgs<T>): HookResult<T>;
  /** The projected embedding (`output`), with the pooled feature it came from; not limited by `blocks`. */
  embedding?<T>(args: FinalHookArgs<T>): HookResult<T>;
}

export function hookApplies(hooks: EncoderHooks, block: number): boolean {
  if (!hooks.blocks) return true;
  return typeof hooks.blocks === 'function' ? hooks.blocks(block) : hooks.blocks.includes(block);
}

/** An ordered set of hooks; later hooks see earlier hooks' replacements. */
export class HookSet {
  private readonly list: EncoderHooks[] = [];

  /** Installs hooks and returns a function that removes them. */
  add(hooks: EncoderHooks): () => void {
    this.list.push(hooks);
    return () => {
      const i = this.list.indexOf(hooks);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  get size(): number {
    return this.list.length;
  }

  run<T, A extends { output: T; block?: number }>(
    kind: 'sublayer' | 'linear' | 'mlpHidden' | 'block' | 'pooled' | 'embedding',
    args: A,
    extra: readonly EncoderHooks[] = [],
  ): T {
    let output = args.output;
    for (const hooks of [...this.list, ...extra]) {
      const fn = hooks[kind] as ((a: A) => HookResult<T>) | undefined;
      if (!fn || (args.block !== undefined && !hookApplies(hooks, args.block))) continue;
      const replaced = fn.call(hooks, { ...args, output });
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }
}
