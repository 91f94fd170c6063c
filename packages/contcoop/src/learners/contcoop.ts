import * as tf from '@tensorflow/tfjs-core';
import { scaledDotProductAttention } from '@hotplug/kernels';
import { BaseLearner, type LearnerInit } from '../learner';
import { assemblePrompts } from '../layout';
import type { PromptTarget } from '../target';
import { CONTEXT_DEFAULTS, LearnerOptionError, checkContextOptions, initialContext, normalValues, type ContextOptions } from './context';
import { encodePrompts, LayoutCache } from './coop';
import { distillation } from './distill';

/**
 * What the learned context attends over, for each class (keys and values of the attention):
 * - 'name': the class name's token embeddings only. Degenerate for a one-token name: the softmax
 *   over one key is exactly 1, so the context, W_q and W_k get no gradient from that class and
 *   its prompt is the linear map E·W_v·W_o of its token. Kept to reproduce earlier results.
 * - 'name+template': the name's tokens and the tokens of `keyTemplate` ("a photo of a"), all read
 *   from the model in use, so the output is still a mixture of that model's embeddings.
 * - 'name+context': the name's tokens and the learned context itself (self + cross attention).
 */
export const CONTCOOP_KEY_SETS = ['name', 'name+template', 'name+context'] as const;
export type ContcoopKeys = (typeof CONTCOOP_KEY_SETS)[number];

export interface ContcoopOptions extends ContextOptions {
  /** Heads of the class-conditioning attention (must divide the token width). */
  heads: number;
  /** Keys and values of the attention (see CONTCOOP_KEY_SETS); 'name+template' by default. */
  keys: ContcoopKeys;
  /** Text whose token embeddings (from the model in use) join the keys under keys: 'name+template'. */
  keyTemplate: string;
  /**
   * Scale query and key inputs (the context, the key rows) to unit RMS before W_q / W_k, as
   * pre-norm attention does; values keep the raw embeddings. Token embeddings have RMS about
   * 0.02, so without it the scores are about 1e-4 and the softmax stays uniform (measured).
   */
  qkNorm: boolean;
  /** Add the raw context to the attention output. Off by default: the raw context lives in the training model's embedding space and would not follow a model update. */
  residual: boolean;
  /** Start the value and output projections at the identity, so the initial context is a mix of the key tokens' own embeddings ('identity'), or random ('random'). */
  valueInit: 'identity' | 'random';
  /** λ of the distillation towards the zero-shot prompts' predictions. */
  distillWeight: number;
  /** Softmax temperature of both distributions in the distillation (loss scaled by T²). */
  distillTemperature: number;
}

export const CONTCOOP_DEFAULTS: ContcoopOptions = {
  ...CONTEXT_DEFAULTS,
  heads: 4,
  keys: 'name+template',
  keyTemplate: 'a photo of a',
  qkNorm: true,
  residual: false,
  valueInit: 'identity',
  distillWeight: 1,
  distillTemperature: 1,
};

/**
 * Options a ContCoOp state saved before they existed was trained with: such a state has no
 * `keys` / `qkNorm` in its stored options and attended over the raw class-name rows only.
 */
export const CONTCOOP_LEGACY_OPTIONS: Readonly<Partial<ContcoopOptions>> = { keys: 'name', qkNorm: false };

/**
 * ContCoOp (Wang et al., arXiv 2412.20895): the learned context vectors are queries of a
 * multi-head attention over the class name's token embeddings read from the text encoder in
 * use (plus the template's tokens or the context itself, `keys`); its output is the class's
 * context, fed to the text encoder. Loss: cross-entropy + λ · KL(zero-shot prediction ‖ prediction).
 */
export class ContcoopLearner extends BaseLearner {
  readonly kind = 'contcoop';
  private readonly options: ContcoopOptions;
  private readonly layouts: LayoutCache;
  private readonly query: tf.Variable;
  private readonly proj: Record<'q' | 'k' | 'v' | 'o', tf.Variable>;
  private readonly templateIds = new WeakMap<PromptTarget, number[]>();

  constructor(options: Partial<ContcoopOptions>, init: LearnerInit) {
    const o = { ...CONTCOOP_DEFAULTS, ...options };
    checkContextOptions('contcoop', o);
    const w = init.shape.tokenWidth;
    const bad = (field: string, message: string) => new LearnerOptionError(`contcoop: ${message}`, 'contcoop', field);
    if (!Number.isInteger(o.heads) || o.heads < 1 || w % o.heads !== 0)
      throw bad('heads', `heads (${o.heads}) must be a positive integer dividing the token width ${w}`);
    if (!CONTCOOP_KEY_SETS.includes(o.keys)) throw bad('keys', `keys must be one of ${CONTCOOP_KEY_SETS.map((k) => `'${k}'`).join(', ')}, got "${o.keys}"`);
    if (typeof o.keyTemplate !== 'string' || o.keyTemplate.length > 500) throw bad('keyTemplate', 'keyTemplate must be a string of at most 500 characters');
    if (o.keys === 'name+template' && o.keyTemplate.trim() === '')
      throw bad('keyTemplate', `keys 'name+template' needs a non-empty keyTemplate (e.g. "a photo of a"); or use keys 'name+context'`);
    if (typeof o.qkNorm !== 'boolean') throw bad('qkNorm', `qkNorm must be true or false, got ${JSON.stringify(o.qkNorm)}`);
    if (typeof o.residual !== 'boolean') throw bad('residual', `residual must be true or false, got ${JSON.stringify(o.residual)}`);
    if (o.valueInit !== 'identity' && o.valueInit !== 'random') throw bad('valueInit', `valueInit must be 'identity' or 'random', got "${o.valueInit}"`);
    if (!(o.distillWeight >= 0)) throw bad('distillWeight', `distillWeight must be >= 0, got ${o.distillWeight}`);
    if (!(o.distillTemperature > 0)) throw bad('distillTemperature', `distillTemperature must be > 0, got ${o.distillTemperature}`);
    super(o as unknown as Record<string, unknown>, init.shape);
    this.options = o;
    this.layouts = new LayoutCache(o);
    const rng = init.rng;
    // tidy: the [1, M, W] tensor squeezed here would otherwise outlive the learner.
    this.query = this.addParam(
      'ctx',
      tf.tidy(() => tf.squeeze(initialContext('contcoop', o, 1, w, rng.fork('ctx'), init.target), [0])),
      [o.nCtx, w],
    );
    const random = (name: string) => normalValues(rng.fork(name), w * w, w ** -0.5);
    const identity = () => eye(w);
    this.proj = {
      q: this.addParam('attn.q.weight', random('q'), [w, w]),
      k: this.addParam('attn.k.weight', random('k'), [w, w]),
      v: this.addParam('attn.v.weight', o.valueInit === 'identity' ? identity() : random('v'), [w, w]),
      o: this.addParam('attn.out.weight', o.valueInit === 'identity' ? identity() : random('o'), [w, w]),
    };
  }

  override checkTarget(target: PromptTarget): void {
    super.checkTarget(target);
    if (this.options.keys === 'name+template') this.templateTokens(target);
  }

  /** Token ids of keyTemplate in the target's tokenizer (once per target). */
  private templateTokens(target: PromptTarget): number[] {
    let ids = this.templateIds.get(target);
    if (!ids) {
      ids = target.tokenizer.tokenize(this.options.keyTemplate);
      if (ids.length === 0)
        throw new LearnerOptionError(
          `contcoop: keyTemplate "${this.options.keyTemplate}" tokenizes to no tokens with the tokenizer of model "${target.model.clip.config.name}"; give a template of words the tokenizer knows, or use keys 'name+context'`,
          'contcoop',
          'keyTemplate',
        );
      this.templateIds.set(target, ids);
    }
    return ids;
  }

  /** Rows every class's keys share besides its name: the template's token embeddings (model in use) or the raw context; none for 'name'. */
  private sharedKeyRows(target: PromptTarget): tf.Tensor2D | null {
    if (this.options.keys === 'name+template')
      return tf.gather(target.model.clip.text.tokenEmbedding, tf.tensor1d(this.templateTokens(target), 'int32')) as tf.Tensor2D;
    if (this.options.keys === 'name+context') return this.query as tf.Tensor2D;
    return null;
  }

  /** Number of keys each class's attention has on this target; 1 means the softmax is constant and the query side cannot learn from that class. */
  keyCounts(target: PromptTarget): number[] {
    const shared = this.options.keys === 'name+template' ? this.templateTokens(target).length : this.options.keys === 'name+context' ? this.options.nCtx : 0;
    return target.classTokens.map((ids) => ids.length + shared);
  }

  /**
   * Queries [M, W] and, per class, the key and value rows [keys, W] after projection. Keys are
   * the class name's rows plus the shared rows of `keys`; the shared part is projected once.
   */
  private projections(target: PromptTarget): { q: tf.Tensor2D; keysOf: (c: number) => { k: tf.Tensor2D; v: tf.Tensor2D } } {
    const norm = (x: tf.Tensor2D) => (this.options.qkNorm ? rmsNormalize(x) : x);
    const q: tf.Tensor2D = tf.matMul(norm(this.query as tf.Tensor2D), this.proj.q);
    const shared = this.sharedKeyRows(target);
    const sharedK = shared && tf.matMul<tf.Tensor2D>(norm(shared), this.proj.k);
    const sharedV = shared && tf.matMul<tf.Tensor2D>(shared, this.proj.v);
    const keysOf = (c: number): { k: tf.Tensor2D; v: tf.Tensor2D } => {
      const names = target.classNameEmbeddings(c);
      const k: tf.Tensor2D = tf.matMul(norm(names), this.proj.k);
      const v: tf.Tensor2D = tf.matMul(names, this.proj.v);
      if (!sharedK || !sharedV) return { k, v };
      return { k: tf.concat([k, sharedK], 0) as tf.Tensor2D, v: tf.concat([v, sharedV], 0) as tf.Tensor2D };
    };
    return { q, keysOf };
  }

  /** Class-conditioned context [C, M, W] for the target's class names. */
  classContext(target: PromptTarget): tf.Tensor3D {
    return tf.tidy(() => {
      const { heads, nCtx, residual } = this.options;
      const w = this.shape.tokenWidth;
      const dh = w / heads;
      const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [1, x.shape[0], heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
      const { q, keysOf } = this.projections(target);
      const perClass = target.classTokens.map((_, c) => {
        const { k, v } = keysOf(c);
        const attended = scaledDotProductAttention(split(q), split(k), split(v));
        const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [nCtx, w]);
        const out = tf.matMul(merged, this.proj.o);
        return residual ? tf.add(out, this.query) : out;
      });
      return tf.stack(perClass) as tf.Tensor3D;
    });
  }

  /**
   * Attention weights of each class, [heads, M, keys] per class (rows sum to 1), computed with
   * plain ops from the definition softmax(Q Kᵀ / √d_h): a diagnostic of how much the learned
   * context conditions on the keys (uniform rows: it does not; one key: it cannot).
   */
  attentionWeights(target: PromptTarget): tf.Tensor3D[] {
    return tf.tidy(() => {
      const { heads } = this.options;
      const dh = this.shape.tokenWidth / heads;
      const byHead = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [x.shape[0], heads, dh]), [1, 0, 2]) as tf.Tensor3D;
      const { q, keysOf } = this.projections(target);
      return target.classTokens.map((_, c) => tf.softmax(tf.mul(tf.matMul(byHead(q), byHead(keysOf(c).k), false, true), 1 / Math.sqrt(dh))) as tf.Tensor3D);
    });
  }

  classFeatures(target: PromptTarget): tf.Tensor2D {
    return tf.tidy(() => {
      const { embeddings, eot } = assemblePrompts(target, this.layouts.get(target), this.classContext(target), 'class');
      return encodePrompts(target, embeddings, eot);
    });
  }

  protected override extraLoss(target: PromptTarget, images: tf.Tensor2D, logits: tf.Tensor2D) {
    if (this.options.distillWeight === 0) return undefined;
    const kl = distillation(target, images, logits, this.options.distillTemperature);
    return { value: tf.mul(kl, this.options.distillWeight) as tf.Scalar, metrics: { distill: kl } };
  }
}

/** Rows scaled to unit root-mean-square (no learned gain: the projection that follows has one). */
function rmsNormalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D;
}

function eye(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}
