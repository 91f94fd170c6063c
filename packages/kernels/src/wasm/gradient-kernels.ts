import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Kernels that tfjs' wasm backend lacks but gradients need: UnsortedSegmentSum (gradient of
 * gather, i.e. of embedding lookups) and the filter gradients of convolutions (patch
 * embeddings). Rather than re-implementing each, a bridge runs the `cpu` backend's kernel on
 * copies of the inputs and writes the result into wasm memory: correct by construction, and
 * these kernels are a small share of a training step.
 */
export const WASM_BRIDGED_KERNELS: readonly string[] = [
  'UnsortedSegmentSum',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
];

let helper: MathBackendCPU | null = null;

function bridge(cpuKernel: KernelConfig): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    helper ??= new MathBackendCPU();
    const cpu = helper;
    const cpuInputs: NamedTensorInfoMap = {};
    const temporaries: TensorInfo[] = [];
    for (const [name, info] of Object.entries(inputs as NamedTensorInfoMap)) {
      if (info == null) continue;
      // Copy out of the wasm heap: views into it go stale when the heap grows.
      const values = (wasm.readSync(info.dataId) as Float32Array | Int32Array | Uint8Array).slice();
      const copy = { dataId: cpu.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      cpuInputs[name] = copy;
      temporaries.push(copy);
    }
    try {
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
      const outputs = Array.isArray(result) ? result : [result];
      const moved = outputs.map((out) => {
        const values = cpu.readSync(out.dataId) as Float32Array | Int32Array | Uint8Array;
        const target = wasm.makeOutput(out.shape, out.dtype);
        wasm.typedArrayFromHeap(target).set(values);
        cpu.disposeData(out.dataId, true);
        return target;
      });
      return Array.isArray(result) ? moved : moved[0];
    } finally {
      for (const t of temporaries) cpu.disposeData(t.dataId, true);
    }
  };
}

/**
 * Registers the missing gradient kernels for the 'wasm' backend (idempotent). initBackend
 * calls this; call it yourself only if you select wasm with tf.setBackend directly.
 */
export function registerWasmGradientKernels(): string[] {
  const registered: string[] = [];
  for (const name of WASM_BRIDGED_KERNELS) {
    if (tf.getKernel(name, 'wasm') != null) continue;
    const cpuKernel = tf.getKernel(name, 'cpu');
    if (cpuKernel == null) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: bridge(cpuKernel) });
    registered.push(name);
  }
  return registered;
}
