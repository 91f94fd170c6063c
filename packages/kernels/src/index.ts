// Public API of @hotplug/kernels: everything a user may import is exported here.
import './tf/register-gradients';

export { initBackend, availableBackends, BACKEND_ENV } from './backend/init';
export { ensureBackend } from './backend/ensure';
export { BACKEND_ORDER } from './backend/types';
export type { BackendName, BackendReport, InitBackendOptions } from './backend/types';
export { NATIVE_BACKEND, MALLOC_ENV } from './native/backend';
export { NATIVE_ENV } from './native/addon';
export { nativeRunCounts } from './native/kernels/common';
export { registerWasmGradientKernels, WASM_BRIDGED_KERNELS } from './wasm/gradient-kernels';

export { layerNorm } from './ops/layer-norm';
export { scaledDotProductAttention } from './ops/attention';
export type { AttentionOptions } from './ops/attention';
export { gelu, quickGelu } from './ops/activations';
export { softmaxCrossEntropy } from './ops/cross-entropy';
export { cosineLogits, contrastiveLoss } from './ops/contrastive';
export { adam, FusedAdamOptimizer } from './ops/adam';
export { linear } from './ops/linear';
export type { LinearOptions } from './ops/linear';
export type { LinearActivation } from './ops/fused-kernels';
export { FUSED_KERNELS } from './ops/fused-kernels';
