import type { Activation } from '../config';
import type { TensorOps } from '../ops/types';
import type { EncoderHooks, EncoderName, HookSet, LinearName, MlpHiddenHookArgs } from './hooks';
import type { ParamStore } from './params';

export interface TransformerShape {
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  activation: Activation;
  epsilon: number;
  causal: boolean;
}

const LINEARS: [LinearName, 'attn' | 'mlp', (w: number, m: number) => [number, number]][] = [
  ['q', 'attn', (w) => [w, w]],
  ['k', 'attn', (w) => [w, w]],
  ['v', 'attn', (w) => [w, w]],
  ['out', 'attn', (w) => [w, w]],
  ['fc1', 'mlp', (w, m) => [w, m]],
  ['fc2', 'mlp', (w, m) => [m, w]],
];

export function linearParamName(prefix: string, block: number, linear: LinearName): string {
  const group = linear === 'fc1' || linear === 'fc2' ? 'mlp' : 'attn';
  return `${prefix}.blocks.${block}.${group}.${linear}`;
}

/** Creates the variables of `depth` pre-LN blocks under `${prefix}.blocks.N.` (CLIP initialisation). */
export function createBlocks(store: ParamStore, prefix: string, s: TransformerShape): void {
  const hidden = s.width * s.mlpRatio;
  const attnStd = s.width ** -0.5;
  const projStd = attnStd * (2 * s.depth) ** -0.5;
  for (let i = 0; i < s.depth; i++) {
    for (const ln of ['ln1', 'ln2']) {
      store.create(`${prefix}.blocks.${i}.${ln}.gamma`, [s.width], { kind: 'ones' });
      store.create(`${prefix}.blocks.${i}.${ln}.beta`, [s.width], { kind: 'zeros' });
    }
    for (const [name, , shapeOf] of LINEARS) {
      const shape = shapeOf(s.width, hidden);
      const std = name === 'out' || name === 'fc2' ? projStd : name === 'fc1' ? (2 * s.width) ** -0.5 : attnStd;
      const base = linearParamName(prefix, i, name);
      store.create(`${base}.weight`, shape, { kind: 'normal', std });
      store.create(`${base}.bias`, [shape[1]], { kind: 'zeros' });
    }
  }
}

export interface RunContext<T> {
  ops: TensorOps<T>;
  store: ParamStore;
  prefix: string;
  encoder: EncoderName;
  hooks: HookSet;
  extraHooks: readonly EncoderHooks[];
}

function activate<T>(ops: TensorOps<T>, x: T, activation: Activation): T {
  return activation === 'gelu' ? ops.gelu(x) : ops.quickGelu(x);
}

/** One pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)), with every hook point. */
export function runBlock<T>(ctx: RunContext<T>, s: TransformerShape, block: number, x: T): T {
  const { ops, store, prefix, encoder, hooks, extraHooks } = ctx;
  const hooked = hooks.size > 0 || extraHooks.length > 0;
  const w = (name: string) => ops.weight(`${prefix}.blocks.${block}.${name}`, store.get(`${prefix}.blocks.${block}.${name}`));
  const linear = (name: LinearName, input: T): T => {
    const base = linearParamName(prefix, block, name);
    const output = ops.linear(input, ops.weight(`${base}.weight`, store.get(`${base}.weight`)), ops.weight(`${base}.bias`, store.get(`${base}.bias`)));
    return hooked ? hooks.run('linear', { ops, encoder, block, linear: name, input, output }, extraHooks) : output;
  };
  const sublayer = (name: 'attention' | 'mlp', input: T, normed: T, output: T): T =>
    hooked ? hooks.run('sublayer', { ops, encoder, block, sublayer: name, input, normed, output }, extraHooks) : output;

  const normed1 = ops.layerNorm(x, w('ln1.gamma'), w('ln1.beta'), s.epsilon);
  const q = ops.splitHeads(linear('q', normed1), s.heads);
  const k = ops.splitHeads(linear('k', normed1), s.heads);
  const v = ops.splitHeads(linear('v', normed1), s.heads);
  const attended = ops.mergeHeads(ops.attention(q, k, v, { causal: s.causal, scale: (s.width / s.heads) ** -0.5 }));
  const attnOut = sublayer('attention', x, normed1, linear('out', attended));
  const afterAttn = ops.add(x, attnOut);

  const normed2 = ops.layerNorm(afterAttn, w('ln2.gamma'), w('ln2.beta'), s.epsilon);
  const preActivation = linear('fc1', normed2);
  const activated = activate(ops, preActivation, s.activation);
  const hidden = hooked ? hooks.run<T, MlpHiddenHookArgs<T>>('mlpHidden', { ops, encoder, block, preActivation, output: activated }, extraHooks) : activated;
  const mlpOut = sublayer('mlp', afterAttn, normed2, linear('fc2', hidden));
  const output = ops.add(afterAttn, mlpOut);
  return hooked ? hooks.run('block', { ops, encoder, block, input: x, output }, extraHooks) : output;
}
