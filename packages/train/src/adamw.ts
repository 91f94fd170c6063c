import * as tf from '@tensorflow/tfjs-core';

export interface AdamWConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied as p -= lr * wd * p. */
  weightDecay?: number;
  /** Which parameters decay; by default matrices and larger (not biases, norms, scalars). */
  decays?: (name: string, variable: tf.Variable) => boolean;
}

/** The optimizer's state, as plain tensors for checkpoints. */
export interface AdamWState {
  step: number;
  moments: Record<string, { m: tf.Tensor; v: tf.Tensor }>;
}

/**
 * AdamW written out rather than tfjs's Adam: tfjs has no decoupled weight decay, no
 * per-step learning rate, and its state cannot be checkpointed synchronously.
 */
export class AdamW {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly decays: NonNullable<AdamWConfig['decays']>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Number of updates applied so far. */
  step = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    config: AdamWConfig = {},
  ) {
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    this.decays = config.decays ?? ((_name, variable) => variable.rank >= 2);
    for (const [name, p] of params) {
      this.m.set(name, zerosVariable(p));
      this.v.set(name, zerosVariable(p));
    }
  }

  /** Applies one update with learning rate `lr`; `grads` is keyed like the parameters. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const t = this.step;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads[name];
        if (!g) continue; // a parameter the loss does not reach this step
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(mNew);
        v.assign(vNew);
        let update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.epsilon));
        if (this.weightDecay > 0 && this.decays(name, p)) update = tf.add(update, tf.mul(p, this.weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }

  /** A copy of the state (the caller disposes the tensors). */
  getState(): AdamWState {
    const moments: AdamWState['moments'] = {};
    for (const name of this.params.keys()) moments[name] = { m: this.m.get(name)!.clone(), v: this.v.get(name)!.clone() };
    return { step: this.step, moments };
  }

  /** Restores a state saved by getState (shapes must match). */
  setState(state: AdamWState): void {
    for (const [name, p] of this.params) {
      const s = state.moments[name];
      if (!s) throw new Error(`optimizer state has no moments for parameter "${name}"; the checkpoint was made for a different model`);
      if (!tf.util.arraysEqual(s.m.shape, p.shape)) throw new Error(`optimizer state for "${name}" has shape [${s.m.shape}] but the parameter is [${p.shape}]`);
      this.m.get(name)!.assign(s.m);
      this.v.get(name)!.assign(s.v);
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** A non-trainable zero variable shaped like `p` (the initial zeros tensor is freed: the variable keeps its own data). */
function zerosVariable(p: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(p);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}

/** Scales gradients so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const names = Object.keys(grads);
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))));
  const norm = normTensor.dataSync()[0]!;
  normTensor.dispose();
  if (!(norm > maxNorm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const clipped: Record<string, tf.Tensor> = {};
  for (const n of names) {
    clipped[n] = tf.mul(grads[n]!, scale);
    grads[n]!.dispose();
  }
  return { grads: clipped, norm };
}
