import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { FUSED_KERNELS } from '../../ops/fused-kernels';
import type { GeluKind, LinearActivation } from '../../ops/fused-kernels';
import type { NativeAddon } from '../addon-types';
import { countNativeRun, float32Values, output, sizeOf, uninitializedFloat32 } from './common';

const GELU_KIND: Record<GeluKind, number> = { erf: 0, quick: 1 };
const LINEAR_ACTIVATION: Record<LinearActivation, number> = { none: -1, gelu: 0, quickgelu: 1 };

/** The Float32Array of a float32 input; the fused ops only call these kernels with float32. */
function values(backend: MathBackendCPU, inputs: Record<string, TensorInfo | undefined>, name: string, kernel: string): Float32Array {
  const v = float32Values(backend, inputs[name]);
  if (!v) throw new Error(`${kernel}: input '${name}' must be a float32 tensor, got ${inputs[name]?.dtype ?? 'nothing'}`);
  return v;
}

function kernel(
  kernelName: string,
  run: (backend: MathBackendCPU, inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown>) => TensorInfo | TensorInfo[],
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const out = run(args.backend as MathBackendCPU, args.inputs as Record<string, TensorInfo | undefined>, (args.attrs ?? {}) as Record<string, unknown>);
    countNativeRun(kernelName);
    return out;
  };
  return { kernelName, backendName: 'hotplug-cpu', kernelFunc };
}

/** Native kernels of the fused ops (src/ops/fused-kernels.ts names them; native/fused.cc does the work). */
export function fusedKernels(addon: NativeAddon): KernelConfig[] {
  return [
    kernel(FUSED_KERNELS.layerNorm, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.layerNorm;
      const x = values(backend, inputs, 'x', name);
      const shape = inputs.x!.shape;
      const cols = shape[shape.length - 1];
      const rows = cols > 0 ? x.length / cols : sizeOf(shape.slice(0, -1));
      const y = uninitializedFloat32(x.length);
      const mean = uninitializedFloat32(rows);
      const rstd = uninitializedFloat32(rows);
      addon.layerNorm(x, values(backend, inputs, 'gamma', name), values(backend, inputs, 'beta', name), y, mean, rstd, rows, cols, attrs.epsilon as number);
      return [output(backend, shape.slice(), y), output(backend, [rows], mean), output(backend, [rows], rstd)];
    }),
    kernel(FUSED_KERNELS.layerNormGrad, (backend, inputs) => {
      const name = FUSED_KERNELS.layerNormGrad;
      const x = values(backend, inputs, 'x', name);
      const shape = inputs.x!.shape;
      const cols = shape[shape.length - 1];
      const rows = cols > 0 ? x.length / cols : sizeOf(shape.slice(0, -1));
      const dx = uninitializedFloat32(x.length);
      const dGamma = uninitializedFloat32(cols);
      const dBeta = uninitializedFloat32(cols);
      addon.layerNormGrad(
        values(backend, inputs, 'dy', name),
        x,
        values(backend, inputs, 'gamma', name),
        values(backend, inputs, 'mean', name),
        values(backend, inputs, 'rstd', name),
        dx,
        dGamma,
        dBeta,
        rows,
        cols,
      );
      return [output(backend, shape.slice(), dx), output(backend, [cols], dGamma), output(backend, [cols], dBeta)];
    }),
    kernel(FUSED_KERNELS.gelu, (backend, inputs, attrs) => {
      const x = values(backend, inputs, 'x', FUSED_KERNELS.gelu);
      const y = uninitializedFloat32(x.length);
      addon.gelu(GELU_KIND[attrs.kind as GeluKind], x, y);
      return output(backend, inputs.x!.shape.slice(), y);
    }),
    kernel(FUSED_KERNELS.geluGrad, (backend, inputs, attrs) => {
      const x = values(backend, inputs, 'x', FUSED_KERNELS.geluGrad);
      const dx = uninitializedFloat32(x.length);
      addon.geluGrad(GELU_KIND[attrs.kind as GeluKind], x, values(backend, inputs, 'dy', FUSED_KERNELS.geluGrad), dx);
      return output(backend, inputs.x!.shape.slice(), dx);
    }),
    kernel(FUSED_KERNELS.attention, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.attention;
      const [b, h, tq, d] = inputs.q!.shape;
      const tk = inputs.k!.shape[2];
      const dv = inputs.v!.shape[3];
      const out = uninitializedFloat32(b * h * tq * dv);
      const probs = uninitializedFloat32(b * h * tq * tk);
      addon.attention(
        values(backend, inputs, 'q', name),
        values(backend, inputs, 'k', name),
        values(backend, inputs, 'v', name),
        out,
        probs,
        b * h,
        tq,
        tk,
        d,
        dv,
        attrs.scale as number,
        attrs.causal === true,
      );
      return [output(backend, [b, h, tq, dv], out), output(backend, [b, h, tq, tk], probs)];
    }),
    kernel(FUSED_KERNELS.attentionGrad, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.attentionGrad;
      const [b, h, tq, d] = inputs.q!.shape;
      const tk = inputs.k!.shape[2];
      const dv = inputs.v!.shape[3];
      const dq = uninitializedFloat32(b * h * tq * d);
      const dk = uninitializedFloat32(b * h * tk * d);
      const dV = uninitializedFloat32(b * h * tk * dv);
      addon.attentionGrad(
        values(backend, inputs, 'dy', name),
        values(backend, inputs, 'q', name),
        values(backend, inputs, 'k', name),
        values(backend, inputs, 'v', name),
        values(backend, inputs, 'probs', name),
        dq,
        dk,
        dV,
        b * h,
        tq,
        tk,
        d,
        dv,
        attrs.scale as number,
      );
      return [output(backend, [b, h, tq, d], dq), output(backend, [b, h, tk, d], dk), output(backend, [b, h, tk, dv], dV)];
    }),
    kernel(FUSED_KERNELS.adam, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.adam;
      const value = values(backend, inputs, 'value', name);
      const outs = [uninitializedFloat32(value.length), uninitializedFloat32(value.length), uninitializedFloat32(value.length)];
      const a = attrs as Record<'learningRate' | 'beta1' | 'beta2' | 'epsilon' | 'c1' | 'c2', number>;
      addon.adamUpdate(
        value,
        values(backend, inputs, 'm', name),
        values(backend, inputs, 'v', name),
        values(backend, inputs, 'gradient', name),
        outs[0],
        outs[1],
        outs[2],
        a.learningRate,
        a.beta1,
        a.beta2,
        a.epsilon,
        a.c1,
        a.c2,
      );
      return outs.map((o) => output(backend, inputs.value!.shape.slice(), o));
    }),
    kernel(FUSED_KERNELS.linear, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.linear;
      const [rows, inDim] = inputs.x!.shape;
      const outDim = inputs.weight!.shape[1];
      const act = LINEAR_ACTIVATION[attrs.activation as LinearActivation];
      const y = uninitializedFloat32(rows * outDim);
      const z = act >= 0 ? uninitializedFloat32(rows * outDim) : null;
      const bias = inputs.bias ? values(backend, inputs, 'bias', name) : null;
      addon.linear(values(backend, inputs, 'x', name), values(backend, inputs, 'weight', name), bias, y, z, rows, inDim, outDim, act);
      const outs = [output(backend, [rows, outDim], y)];
      if (z) outs.push(output(backend, [rows, outDim], z));
      return outs;
    }),
    kernel(FUSED_KERNELS.linearGrad, (backend, inputs, attrs) => {
      const name = FUSED_KERNELS.linearGrad;
      const [rows, inDim] = inputs.x!.shape;
      const outDim = inputs.weight!.shape[1];
      const act = LINEAR_ACTIVATION[attrs.activation as LinearActivation];
      const dx = uninitializedFloat32(rows * inDim);
      const dw = uninitializedFloat32(inDim * outDim);
      const db = attrs.hasBias ? uninitializedFloat32(outDim) : null;
      const z = act >= 0 ? values(backend, inputs, 'z', name) : null;
      addon.linearGrad(
        values(backend, inputs, 'dy', name),
        values(backend, inputs, 'x', name),
        values(backend, inputs, 'weight', name),
        z,
        dx,
        dw,
        db,
        rows,
        inDim,
        outDim,
        act,
      );
      const outs = [output(backend, [rows, inDim], dx), output(backend, [inDim, outDim], dw)];
      if (db) outs.push(output(backend, [outDim], db));
      return outs;
    }),
    kernel(FUSED_KERNELS.softmaxCrossEntropy, (backend, inputs) => {
      const name = FUSED_KERNELS.softmaxCrossEntropy;
      const [rows, classes] = inputs.logits!.shape;
      const logProbs = uninitializedFloat32(rows * classes);
      const loss = addon.softmaxCrossEntropy(values(backend, inputs, 'logits', name), values(backend, inputs, 'labels', name), logProbs, rows, classes);
      return [output(backend, [], Float32Array.of(loss)), output(backend, [rows, classes], logProbs)];
    }),
    kernel(FUSED_KERNELS.softmaxCrossEntropyGrad, (backend, inputs) => {
      const name = FUSED_KERNELS.softmaxCrossEntropyGrad;
      const [rows, classes] = inputs.logProbs!.shape;
      const dLogits = uninitializedFloat32(rows * classes);
      const dLabels = uninitializedFloat32(rows * classes);
      const dy = values(backend, inputs, 'dy', name)[0];
      addon.softmaxCrossEntropyGrad(dy, values(backend, inputs, 'logProbs', name), values(backend, inputs, 'labels', name), dLogits, dLabels, rows, classes);
      return [output(backend, [rows, classes], dLogits), output(backend, [rows, classes], dLabels)];
    }),
  ];
}
