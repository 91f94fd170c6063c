// A small ViT (pre-norm blocks, CLS token, GELU MLP) built from @hotplug/kernels' fused ops,
// for timing one forward + backward + Adam step. It cannot use @hotplug/backbones (that
// package depends on this one), and needs nothing more than a representative op mix.
import * as tf from '@tensorflow/tfjs-core';
import { layerNorm, linear as fusedLinear, scaledDotProductAttention, softmaxCrossEntropy } from '../dist/index.js';

export const VIT_BENCH_CONFIG = { width: 128, depth: 6, heads: 4, tokens: 50, batch: 64, patchDim: 48, mlpRatio: 4, classes: 10 };

export function createVit(config = VIT_BENCH_CONFIG, seed = 1) {
  const { width, depth, tokens, patchDim, mlpRatio, classes } = config;
  let s = seed;
  const init = (shape, std = 0.02) => tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++));
  const ones = (n) => tf.variable(tf.ones([n]));
  const zeros = (n) => tf.variable(tf.zeros([n]));
  const params = {
    patch: init([patchDim, width]),
    patchBias: zeros(width),
    cls: init([1, 1, width]),
    pos: init([1, tokens, width]),
    blocks: Array.from({ length: depth }, () => blockParams(width, mlpRatio, init, ones, zeros)),
    lnFg: ones(width),
    lnFb: zeros(width),
    head: init([width, classes]),
    headBias: zeros(classes),
  };
  return { config, params };
}

// This package's linear(): on hotplug-cpu the bias (and an activation) are the GEMM's epilogue.
export function linear(x2d, w, b, activation = 'none') {
  return fusedLinear(x2d, w, b, { activation });
}

/** Parameters of one pre-norm transformer block (the names block() reads). */
export function blockParams(width, mlpRatio, init, ones, zeros) {
  return {
    ln1g: ones(width),
    ln1b: zeros(width),
    qkv: init([width, 3 * width]),
    qkvBias: zeros(3 * width),
    proj: init([width, width]),
    projBias: zeros(width),
    ln2g: ones(width),
    ln2b: zeros(width),
    fc1: init([width, mlpRatio * width]),
    fc1Bias: zeros(mlpRatio * width),
    fc2: init([mlpRatio * width, width]),
    fc2Bias: zeros(width),
  };
}

/** One pre-norm block on x [batch, tokens, width]; activation 'gelu' (default) or 'quickgelu'. */
export function block(x, p, { batch, tokens, width, heads, activation = 'gelu', causal = false }) {
  const rows = batch * tokens;
  const headDim = width / heads;
  const h = tf.reshape(layerNorm(x, p.ln1g, p.ln1b), [rows, width]);
  const qkv = tf.reshape(linear(h, p.qkv, p.qkvBias), [batch, tokens, 3, heads, headDim]);
  const qkvHeads = tf.transpose(qkv, [2, 0, 3, 1, 4]); // [3, batch, heads, tokens, headDim]
  const [q, k, v] = tf.unstack(qkvHeads);
  const att = scaledDotProductAttention(q, k, v, { causal });
  const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [rows, width]);
  x = tf.add(x, tf.reshape(linear(merged, p.proj, p.projBias), [batch, tokens, width]));
  const h2 = tf.reshape(layerNorm(x, p.ln2g, p.ln2b), [rows, width]);
  const mlp = linear(linear(h2, p.fc1, p.fc1Bias, activation), p.fc2, p.fc2Bias);
  return tf.add(x, tf.reshape(mlp, [batch, tokens, width]));
}

/** Mean cross-entropy of the model on patches [batch, tokens - 1, patchDim] and int32 labels. */
export function vitLoss({ config, params }, patches, labels) {
  const { batch, tokens, width } = config;
  const embedded = tf.reshape(linear(tf.reshape(patches, [batch * (tokens - 1), config.patchDim]), params.patch, params.patchBias), [batch, tokens - 1, width]);
  let x = tf.add(tf.concat([tf.tile(params.cls, [batch, 1, 1]), embedded], 1), params.pos);
  for (const p of params.blocks) x = block(x, p, config);
  const cls = tf.reshape(tf.slice(layerNorm(x, params.lnFg, params.lnFb), [0, 0, 0], [batch, 1, width]), [batch, width]);
  return softmaxCrossEntropy(linear(cls, params.head, params.headBias), labels);
}

export function disposeModel({ params }) {
  const all = [];
  const walk = (v) => (v instanceof tf.Variable ? all.push(v) : typeof v === 'object' && Object.values(v).forEach(walk));
  walk(params);
  tf.dispose(all);
}

export const disposeVit = disposeModel;
