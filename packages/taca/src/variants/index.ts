import { registerBuiltIn } from '../registry';
import { LORA, loraAdapter } from './lora';
import { MLP_PROJECTION, mlpProjectionAdapter } from './mlp-projection';
import { PARALLEL, parallelAdapter } from './parallel';
import { PROJECTION, projectionAdapter } from './projection';
import { SEQUENTIAL, sequentialAdapter } from './sequential';
import { TACA_SYMMETRIC, tacaSymmetric } from './taca-symmetric';

// The built-in variants; a new one is one file plus one line here (or a registerAdapter call in user code / a plug-in).
registerBuiltIn('taca-symmetric', tacaSymmetric, TACA_SYMMETRIC);
registerBuiltIn('sequential', sequentialAdapter, SEQUENTIAL);
registerBuiltIn('parallel', parallelAdapter, PARALLEL);
registerBuiltIn('lora', loraAdapter, LORA);
registerBuiltIn('projection', projectionAdapter, PROJECTION);
registerBuiltIn('mlp-projection', mlpProjectionAdapter, MLP_PROJECTION);

/** The variants this package registers itself (a plug-in's come on top). */
export const BUILT_IN_ADAPTERS: readonly string[] = ['taca-symmetric', 'sequential', 'parallel', 'lora', 'projection', 'mlp-projection'];

export { tacaSymmetric, sequentialAdapter, parallelAdapter, loraAdapter, projectionAdapter, mlpProjectionAdapter };
export { BOTTLENECK_DEFAULTS, type BottleneckOptions } from './bottleneck-options';
export { LORA_DEFAULTS, type LoraOptions, type LoraTarget } from './lora';
export { MLP_PROJECTION_DEFAULTS, matchedMlpHidden, tacaSymmetricBlockParameters, type MlpProjectionOptions } from './mlp-projection';
