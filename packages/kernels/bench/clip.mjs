// A small CLIP (ViT image tower + causal text tower, symmetric InfoNCE with a learned logit
// scale) in the shape of the embedded pair's new model (@hotplug/backbones' 'hotplug-new':
// 28x28x1 images in 4x4 patches = 50 tokens, width 96, depth 4; text 16 tokens, width 64,
// depth 3; GELU; embed 64), for timing one contrastive training step. Built from this
// package's fused ops; bench/torch_peer.py holds the same model in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { contrastiveLoss, layerNorm } from '../dist/index.js';
import { block, blockParams, linear } from './vit.mjs';

export const CLIP_BENCH_CONFIG = {
  batch: 64,
  embedDim: 64,
  vision: { imageSize: 28, patchSize: 4, channels: 1, width: 96, depth: 4, heads: 4, mlpRatio: 4 },
  text: { contextLength: 16, vocabSize: 1024, width: 64, depth: 3, heads: 4, mlpRatio: 4 },
};

export function createClipBench(config = CLIP_BENCH_CONFIG, seed = 1) {
  const { vision: v, text: t, embedDim } = config;
  let s = seed;
  const init = (shape, std = 0.02) => tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++));
  const ones = (n) => tf.variable(tf.ones([n]));
  const zeros = (n) => tf.variable(tf.zeros([n]));
  const patchDim = v.channels * v.patchSize ** 2;
  const visionTokens = (v.imageSize / v.patchSize) ** 2 + 1;
  const params = {
    vision: {
      patch: init([patchDim, v.width]),
      cls: init([1, 1, v.width]),
      pos: init([1, visionTokens, v.width]),
      lnPreG: ones(v.width),
      lnPreB: zeros(v.width),
      blocks: Array.from({ length: v.depth }, () => blockParams(v.width, v.mlpRatio, init, ones, zeros)),
      lnPostG: ones(v.width),
      lnPostB: zeros(v.width),
      proj: init([v.width, embedDim]),
    },
    text: {
      token: init([t.vocabSize, t.width]),
      pos: init([1, t.contextLength, t.width]),
      blocks: Array.from({ length: t.depth }, () => blockParams(t.width, t.mlpRatio, init, ones, zeros)),
      lnFinalG: ones(t.width),
      lnFinalB: zeros(t.width),
      proj: init([t.width, embedDim]),
    },
    logitScale: tf.variable(tf.scalar(Math.log(1 / 0.07))),
  };
  return { config, params, patchDim, visionTokens };
}

/** Seeded inputs: patches [batch, tokens - 1, patchDim], token ids [batch, context], EOT positions. */
export function clipBenchInputs({ config, patchDim, visionTokens }, seed = 3) {
  const { batch, text: t } = config;
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const eot = Int32Array.from({ length: batch }, () => 4 + Math.floor(next() * (t.contextLength - 4)));
  const ids = Int32Array.from({ length: batch * t.contextLength }, (_, i) => {
    const pos = i % t.contextLength;
    const e = eot[Math.floor(i / t.contextLength)];
    return pos === e ? 2 : pos > e ? 0 : 3 + Math.floor(next() * (t.vocabSize - 3));
  });
  return {
    patches: tf.randomNormal([batch, visionTokens - 1, patchDim], 0, 1, 'float32', seed),
    ids: tf.tensor2d(ids, [batch, t.contextLength], 'int32'),
    // Row-major positions of each row's EOT token in the flattened [batch * context] table.
    eotRows: tf.tensor1d(
      Array.from(eot, (e, b) => b * t.contextLength + e),
      'int32',
    ),
    eot,
    ids32: ids,
  };
}

function encodeImage({ config, params, visionTokens, patchDim }, patches) {
  const { batch, vision: v } = config;
  const p = params.vision;
  const embedded = tf.reshape(linear(tf.reshape(patches, [batch * (visionTokens - 1), patchDim]), p.patch), [batch, visionTokens - 1, v.width]);
  let x = tf.add(tf.concat([tf.tile(p.cls, [batch, 1, 1]), embedded], 1), p.pos);
  x = layerNorm(x, p.lnPreG, p.lnPreB);
  const shape = { batch, tokens: visionTokens, width: v.width, heads: v.heads };
  for (const b of p.blocks) x = block(x, b, shape);
  const cls = tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, v.width]), [batch, v.width]);
  return tf.matMul(layerNorm(cls, p.lnPostG, p.lnPostB), p.proj);
}

function encodeText({ config, params }, ids, eotRows) {
  const { batch, text: t } = config;
  const p = params.text;
  let x = tf.add(tf.reshape(tf.gather(p.token, tf.reshape(ids, [-1])), [batch, t.contextLength, t.width]), p.pos);
  const shape = { batch, tokens: t.contextLength, width: t.width, heads: t.heads, causal: true };
  for (const b of p.blocks) x = block(x, b, shape);
  x = layerNorm(x, p.lnFinalG, p.lnFinalB);
  const pooled = tf.gather(tf.reshape(x, [batch * t.contextLength, t.width]), eotRows);
  return tf.matMul(pooled, p.proj);
}

/** Symmetric contrastive loss of one batch (row i of the images pairs with caption i). */
export function clipLoss(model, { patches, ids, eotRows }) {
  const image = encodeImage(model, patches);
  const text = encodeText(model, ids, eotRows);
  return contrastiveLoss(image, text, tf.exp(model.params.logitScale));
}
