import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon-types';

/** What a native kernel gets: the cpu-style backend, its inputs, attrs and the addon. */
export interface NativeCall {
  backend: MathBackendCPU;
  inputs: Record<string, TensorInfo | undefined>;
  attrs: Record<string, unknown>;
  addon: NativeAddon;
}

/**
 * A native kernel returns its result, or null when the call is outside what it covers
 * (dtype, layout): the 'cpu' kernel of the same name then runs instead.
 */
export type NativeKernelFunc = (call: NativeCall) => TensorInfo | TensorInfo[] | null;

// How often each kernel ran natively (not via the fallback): lets tests prove coverage.
const nativeRuns = new Map<string, number>();

/** Native (non-fallback) executions per kernel name since the process started. */
export function nativeRunCounts(): ReadonlyMap<string, number> {
  return nativeRuns;
}

/** Records one native execution of a kernel that has no cpu fallback (the fused kernels). */
export function countNativeRun(kernelName: string): void {
  nativeRuns.set(kernelName, (nativeRuns.get(kernelName) ?? 0) + 1);
}

/** Builds the tfjs kernel config: native first, the cpu backend's kernel as the fallback. */
export function nativeKernel(kernelName: string, addon: NativeAddon, run: NativeKernelFunc): KernelConfig {
  const cpu = tf.getKernel(kernelName, 'cpu');
  if (cpu == null) throw new Error(`@hotplug/kernels: the cpu backend has no '${kernelName}' kernel to fall back to`);
  const kernelFunc: KernelFunc = (args) => {
    const out = run({
      backend: args.backend as MathBackendCPU,
      inputs: args.inputs as NativeCall['inputs'],
      attrs: (args.attrs ?? {}) as Record<string, unknown>,
      addon,
    });
    if (out == null) return cpu.kernelFunc(args);
    nativeRuns.set(kernelName, (nativeRuns.get(kernelName) ?? 0) + 1);
    return out;
  };
  return { kernelName, backendName: 'hotplug-cpu', kernelFunc };
}

/** The Float32Array behind a float32 tensor, or null (other dtypes, complex storage). */
export function float32Values(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  if (t == null || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/**
 * An output array without zero-filling: every native kernel writes all of its output, and
 * clearing megabytes first costs as much as a cheap elementwise op.
 */
export function uninitializedFloat32(length: number): Float32Array {
  return new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
}
