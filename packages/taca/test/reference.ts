// An independent plain-tfjs forward pass of the ViT with each adapter variant written out,
// used to check the hook-injected adapters. It reads weights by name and shares no code with src/.
import * as tf from '@tensorflow/tfjs-core';
import type { Clip } from '@hotplug/backbones';
import type { Adapter } from '../src/index';

type T = tf.Tensor;

function layerNorm(x: T, g: T, b: T, eps: number): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}
const dense = (x: T, w: T, b?: T): T => {
  const y = tf.matMul(tf.reshape(x, [-1, w.shape[0]!]), w);
  return tf.reshape(b ? tf.add(y, b) : y, [...x.shape.slice(0, -1), w.shape[1]!]);
};
const act = (x: T, kind: string): T =>
  kind === 'gelu' ? tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))) : kind === 'relu' ? tf.relu(x) : tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));

/** Where a variant's reference acts: each returns the (possibly changed) value at that point of block `block`. */
export interface VariantReference {
  /** A linear layer's output y = input·W + b (q, k, v, out of attention; fc1, fc2 of the MLP). */
  linear?(r: RefContext, block: number, name: string, input: T, y: T): T;
  /** The MLP hidden layer after its activation (fc2's input). */
  mlpHidden?(r: RefContext, block: number, hidden: T): T;
  /** The attention sub-layer's output, with the LayerNorm output it read. */
  attention?(r: RefContext, block: number, normed: T, out: T): T;
  mlp?(r: RefContext, block: number, normed: T, out: T): T;
  /** The final embedding: the new encoder's `embedding` and the same after the output projection (`embedding` itself without one). */
  output?(r: RefContext, embedding: T, projected: T): T;
}

export interface RefContext {
  /** An adapter variable by name. */
  p(name: string): T;
  /** The options the reference reads; each variant reads only its own. */
  options: { activation: string; scale: number; targets: readonly string[] };
}

const bottleneck = (r: RefContext, x: T, prefix: string): T => {
  const h = act(dense(x, r.p(`${prefix}.down.weight`), r.p(`${prefix}.down.bias`)), r.options.activation);
  return tf.mul(dense(h, r.p(`${prefix}.up.weight`), r.p(`${prefix}.up.bias`)), r.options.scale);
};

/**
 * One plain-op reference per variant, written from each variant's definition (its doc comment),
 * not from its code. The variant tests iterate adapterNames() and fail for a variant missing here.
 */
export const REFERENCES: Record<string, VariantReference> = {
  'taca-symmetric': {
    attention: (r, i, normed, out) => tf.add(out, bottleneck(r, normed, `adapter.blocks.${i}.attention`)),
    mlp: (r, i, normed, out) => tf.add(out, bottleneck(r, normed, `adapter.blocks.${i}.mlp`)),
  },
  parallel: { mlp: (r, i, normed, out) => tf.add(out, bottleneck(r, normed, `adapter.blocks.${i}.mlp`)) },
  sequential: {
    attention: (r, i, _n, out) => tf.add(out, bottleneck(r, out, `adapter.blocks.${i}.attention`)),
    mlp: (r, i, _n, out) => tf.add(out, bottleneck(r, out, `adapter.blocks.${i}.mlp`)),
  },
  lora: {
    linear: (r, i, name, input, y) =>
      r.options.targets.includes(name)
        ? tf.add(y, tf.mul(dense(dense(input, r.p(`adapter.blocks.${i}.lora_${name}.a`)), r.p(`adapter.blocks.${i}.lora_${name}.b`)), r.options.scale))
        : y,
  },
  projection: {},
  'mlp-projection': {
    output: (r, e, projected) => {
      const hidden = act(dense(e, r.p('adapter.mlp_proj.fc1.weight'), r.p('adapter.mlp_proj.fc1.bias')), r.options.activation);
      return tf.add(projected, dense(hidden, r.p('adapter.mlp_proj.fc2.weight'), r.p('adapter.mlp_proj.fc2.bias')));
    },
  },
};

/** Forward of clip.visual with `adapter` inserted the way its variant is specified (REFERENCES), then its output projection. */
export function referenceForward(
  clip: Clip,
  adapter: Adapter | null,
  images: tf.Tensor4D,
  references: Record<string, VariantReference> = REFERENCES,
): tf.Tensor2D {
  return tf.tidy(() => {
    const W = clip.namedWeights();
    const w = (n: string): T =>
      W.get(n) ??
      (() => {
        throw new Error(`no weight ${n}`);
      })();
    const p = (n: string): T | undefined => adapter?.params.get(n);
    const v = clip.config.vision;
    const eps = clip.config.layerNormEpsilon;
    const cfg = adapter?.config;
    const ref = cfg ? references[cfg.variant] : undefined;
    if (cfg && !ref) throw new Error(`no reference for adapter variant "${cfg.variant}": add one to test/reference.ts`);
    const r: RefContext = {
      p: (n) =>
        p(n) ??
        (() => {
          throw new Error(`no adapter weight ${n}`);
        })(),
      options: (cfg?.options ?? {}) as RefContext['options'],
    };
    const inBlock = (i: number) => !!adapter && (cfg!.blocks ?? [...Array(v.depth).keys()]).includes(i);
    const [B, H] = images.shape;
    const g = H / v.patchSize;
    const patches = tf.reshape(tf.transpose(tf.reshape(images, [B, g, v.patchSize, g, v.patchSize, v.channels]), [0, 1, 3, 2, 4, 5]), [
      B,
      g * g,
      v.patchSize * v.patchSize * v.channels,
    ]);
    let x = dense(patches, tf.reshape(w('visual.patch_embed.weight'), [-1, v.width]));
    x = tf.concat([tf.broadcastTo(tf.reshape(w('visual.class_token'), [1, 1, v.width]), [B, 1, v.width]), x], 1);
    x = layerNorm(tf.add(x, w('visual.pos_embed')), w('visual.ln_pre.gamma'), w('visual.ln_pre.beta'), eps);
    const heads = v.heads,
      hd = v.width / heads,
      tokens = x.shape[1]!;
    for (let i = 0; i < v.depth; i++) {
      const pre = `visual.blocks.${i}`;
      const on = inBlock(i) ? ref : undefined;
      const lin = (name: string, group: string, input: T): T => {
        const y = dense(input, w(`${pre}.${group}.${name}.weight`), w(`${pre}.${group}.${name}.bias`));
        return on?.linear ? on.linear(r, i, name, input, y) : y;
      };
      const n1 = layerNorm(x, w(`${pre}.ln1.gamma`), w(`${pre}.ln1.beta`), eps);
      const split = (t: T) => tf.transpose(tf.reshape(t, [B, tokens, heads, hd]), [0, 2, 1, 3]);
      const [q, k, vv] = ['q', 'k', 'v'].map((n) => split(lin(n, 'attn', n1)));
      const att = tf.softmax(tf.mul(tf.matMul(q!, k!, false, true), hd ** -0.5));
      const merged = tf.reshape(tf.transpose(tf.matMul(att, vv!), [0, 2, 1, 3]), [B, tokens, v.width]);
      let attnOut = lin('out', 'attn', merged);
      if (on?.attention) attnOut = on.attention(r, i, n1, attnOut);
      const mid = tf.add(x, attnOut);
      const n2 = layerNorm(mid, w(`${pre}.ln2.gamma`), w(`${pre}.ln2.beta`), eps);
      const hidden = act(lin('fc1', 'mlp', n2), v.activation);
      let mlpOut = lin('fc2', 'mlp', on?.mlpHidden ? on.mlpHidden(r, i, hidden) : hidden);
      if (on?.mlp) mlpOut = on.mlp(r, i, n2, mlpOut);
      x = tf.add(mid, mlpOut);
    }
    const cls = tf.reshape(tf.slice(x, [0, 0, 0], [B, 1, v.width]), [B, v.width]);
    const emb = dense(layerNorm(cls, w('visual.ln_post.gamma'), w('visual.ln_post.beta'), eps), w('visual.proj.weight'));
    const pw = p('adapter.output_proj.weight');
    const projected = pw ? dense(emb, pw, r.p('adapter.output_proj.bias')) : emb;
    return (ref?.output ? ref.output(r, emb, projected) : projected) as tf.Tensor2D;
  });
}
