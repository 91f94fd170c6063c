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

/** Forward of clip.visual with `adapter` inserted the way its variant is specified. */
export function referenceForward(clip: Clip, adapter: Adapter | null, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const W = clip.namedWeights();
    const w = (n: string): T => W.get(n) ?? adapter?.params.get(n) ?? (() => { throw new Error(`no weight ${n}`); })();
    const p = (n: string): T | undefined => adapter?.params.get(n);
    const v = clip.config.vision;
    const eps = clip.config.layerNormEpsilon;
    const cfg = adapter?.config;
    const variant = cfg?.variant;
    const inBlock = (i: number) => !!adapter && (cfg!.blocks ?? [...Array(v.depth).keys()]).includes(i);
    const bottleneck = (x: T, prefix: string): T => {
      const h = act(dense(x, w(`${prefix}.down.weight`), w(`${prefix}.down.bias`)), cfg!.activation);
      return tf.mul(dense(h, w(`${prefix}.up.weight`), w(`${prefix}.up.bias`)), cfg!.scale);
    };
    const [B, H] = images.shape;
    const g = H / v.patchSize;
    const patches = tf.reshape(tf.transpose(tf.reshape(images, [B, g, v.patchSize, g, v.patchSize, v.channels]), [0, 1, 3, 2, 4, 5]), [B, g * g, v.patchSize * v.patchSize * v.channels]);
    let x = dense(patches, tf.reshape(w('visual.patch_embed.weight'), [-1, v.width]));
    x = tf.concat([tf.broadcastTo(tf.reshape(w('visual.class_token'), [1, 1, v.width]), [B, 1, v.width]), x], 1);
    x = layerNorm(tf.add(x, w('visual.pos_embed')), w('visual.ln_pre.gamma'), w('visual.ln_pre.beta'), eps);
    const heads = v.heads, hd = v.width / heads, tokens = x.shape[1]!;
    for (let i = 0; i < v.depth; i++) {
      const pre = `visual.blocks.${i}`;
      const lin = (name: string, group: string, input: T): T => {
        let y = dense(input, w(`${pre}.${group}.${name}.weight`), w(`${pre}.${group}.${name}.bias`));
        const a = p(`adapter.blocks.${i}.lora_${name}.a`);
        if (variant === 'lora' && a && inBlock(i)) y = tf.add(y, tf.mul(dense(dense(input, a), w(`adapter.blocks.${i}.lora_${name}.b`)), cfg!.scale));
        return y;
      };
      const n1 = layerNorm(x, w(`${pre}.ln1.gamma`), w(`${pre}.ln1.beta`), eps);
      const split = (t: T) => tf.transpose(tf.reshape(t, [B, tokens, heads, hd]), [0, 2, 1, 3]);
      const [q, k, vv] = ['q', 'k', 'v'].map((n) => split(lin(n, 'attn', n1)));
      const att = tf.softmax(tf.mul(tf.matMul(q!, k!, false, true), hd ** -0.5));
      const merged = tf.reshape(tf.transpose(tf.matMul(att, vv!), [0, 2, 1, 3]), [B, tokens, v.width]);
      let attnOut = lin('out', 'attn', merged);
      if (inBlock(i) && variant === 'taca-symmetric') attnOut = tf.add(attnOut, bottleneck(n1, `adapter.blocks.${i}.attention`));
      if (inBlock(i) && variant === 'sequential') attnOut = tf.add(attnOut, bottleneck(attnOut, `adapter.blocks.${i}.attention`));
      const mid = tf.add(x, attnOut);
      const n2 = layerNorm(mid, w(`${pre}.ln2.gamma`), w(`${pre}.ln2.beta`), eps);
      let mlpOut = lin('fc2', 'mlp', act(lin('fc1', 'mlp', n2), v.activation));
      if (inBlock(i) && (variant === 'taca-symmetric' || variant === 'parallel')) mlpOut = tf.add(mlpOut, bottleneck(n2, `adapter.blocks.${i}.mlp`));
      if (inBlock(i) && variant === 'sequential') mlpOut = tf.add(mlpOut, bottleneck(mlpOut, `adapter.blocks.${i}.mlp`));
      x = tf.add(mid, mlpOut);
    }
    const cls = tf.reshape(tf.slice(x, [0, 0, 0], [B, 1, v.width]), [B, v.width]);
    let emb = dense(layerNorm(cls, w('visual.ln_post.gamma'), w('visual.ln_post.beta'), eps), w('visual.proj.weight'));
    const pw = p('adapter.output_proj.weight');
    if (pw) emb = dense(emb, pw, w('adapter.output_proj.bias'));
    return emb as tf.Tensor2D;
  });
}
