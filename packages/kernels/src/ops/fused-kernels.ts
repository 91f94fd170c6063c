import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * Named tfjs kernels behind the fused ops (tfjs' ops-vs-kernels split): an op calls
 * `runKernel(name)` when the active backend registered a kernel of that name, and runs its
 * composition of plain tfjs ops otherwise. A backend that supplies a forward kernel must
 * supply its gradient kernel too: the GradConfigs below call it by name.
 *
 * - HotplugLayerNorm: inputs { x, gamma, beta }, attrs { epsilon } -> [y, mean [rows], rstd [rows]]
 * - HotplugLayerNormGrad: inputs { dy, x, gamma, mean, rstd } -> [dx, dgamma, dbeta]
 * - HotplugGelu: inputs { x }, attrs { kind: 'erf' | 'quick' } -> y
 * - HotplugGeluGrad: inputs { x, dy }, attrs { kind } -> dx
 * - HotplugAttention: inputs { q, k, v } ([batch, heads, tokens, dim]), attrs { scale, causal } -> [out, probabilities]
 * - HotplugAttentionGrad: inputs { dy, q, k, v, probs }, attrs { scale } -> [dq, dk, dv]
 * - HotplugLinear: inputs { x [rows, in], weight [in, out], bias? [out] }, attrs { activation:
 *   'none' | 'gelu' | 'quickgelu' } -> [y] ('none') or [y, pre-activation z]
 * - HotplugLinearGrad: inputs { dy, x, weight, z? }, attrs { activation, hasBias } -> [dx, dweight, dbias?]
 * - HotplugSoftmaxCrossEntropy: inputs { logits, labels } (probabilities, [rows, classes]) -> [loss (scalar), logProbs]
 * - HotplugSoftmaxCrossEntropyGrad: inputs { dy, logProbs, labels } -> [dLogits, dLabels]
 * - HotplugAdam: inputs { value, m, v, gradient }, attrs { learningRate, beta1, beta2, epsilon,
 *   c1, c2 (bias corrections 1 - beta^t) } -> [value, m, v] after one step (no gradient)
 */
export const FUSED_KERNELS = {
  layerNorm: 'HotplugLayerNorm',
  layerNormGrad: 'HotplugLayerNormGrad',
  gelu: 'HotplugGelu',
  geluGrad: 'HotplugGeluGrad',
  attention: 'HotplugAttention',
  attentionGrad: 'HotplugAttentionGrad',
  adam: 'HotplugAdam',
  linear: 'HotplugLinear',
  linearGrad: 'HotplugLinearGrad',
  softmaxCrossEntropy: 'HotplugSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'HotplugSoftmaxCrossEntropyGrad',
} as const;

export type LinearActivation = 'none' | 'gelu' | 'quickgelu';

export type GeluKind = 'erf' | 'quick';

/** True when the active backend registered the named kernel. */
export function backendHasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

export function runKernel(name: string, inputs: NamedTensorMap, attrs: NamedAttrMap = {}): Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

const layerNormGrad: GradConfig = {
  kernelName: FUSED_KERNELS.layerNorm,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved) => {
    const [x, gamma, mean, rstd] = saved;
    const dyY = Array.isArray(dy) ? dy[0] : dy;
    const [dx, dGamma, dBeta] = runKernel(FUSED_KERNELS.layerNormGrad, { dy: dyY, x, gamma, mean, rstd });
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};

const geluGrad: GradConfig = {
  kernelName: FUSED_KERNELS.gelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const [dx] = runKernel(FUSED_KERNELS.geluGrad, { x, dy: Array.isArray(dy) ? dy[0] : dy }, { kind: (attrs as { kind: GeluKind }).kind });
    return { x: () => dx };
  },
};

const attentionGrad: GradConfig = {
  kernelName: FUSED_KERNELS.attention,
  inputsToSave: ['q', 'k', 'v'],
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v, probs] = saved;
    const dOut = Array.isArray(dy) ? dy[0] : dy;
    const [dq, dk, dv] = runKernel(FUSED_KERNELS.attentionGrad, { dy: dOut, q, k, v, probs }, { scale: (attrs as { scale: number }).scale });
    return { q: () => dq, k: () => dk, v: () => dv };
  },
};

const linearGrad: GradConfig = {
  kernelName: FUSED_KERNELS.linear,
  inputsToSave: ['x', 'weight'],
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight, z] = saved;
    const a = attrs as { activation: LinearActivation; hasBias: boolean };
    const inputs: NamedTensorMap = { dy: Array.isArray(dy) ? dy[0] : dy, x, weight };
    if (z) inputs.z = z;
    const [dx, dWeight, dBias] = runKernel(FUSED_KERNELS.linearGrad, inputs, { activation: a.activation, hasBias: a.hasBias });
    const grads: Record<string, () => Tensor> = { x: () => dx, weight: () => dWeight };
    if (a.hasBias) grads.bias = () => dBias;
    return grads;
  },
};

const softmaxCrossEntropyGrad: GradConfig = {
  kernelName: FUSED_KERNELS.softmaxCrossEntropy,
  inputsToSave: ['labels'],
  outputsToSave: [false, true],
  gradFunc: (dy, saved) => {
    const [labels, logProbs] = saved;
    const [dLogits, dLabels] = runKernel(FUSED_KERNELS.softmaxCrossEntropyGrad, { dy: Array.isArray(dy) ? dy[0] : dy, logProbs, labels });
    return { logits: () => dLogits, labels: () => dLabels };
  },
};

// Gradients are global to tfjs (not per backend): registered once, when this module loads.
for (const config of [layerNormGrad, geluGrad, attentionGrad, linearGrad, softmaxCrossEntropyGrad])
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
