import { registerBuiltIn } from '../registry';
import { LORA, loraAdapter } from './lora';
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

export { tacaSymmetric, sequentialAdapter, parallelAdapter, loraAdapter, projectionAdapter };
export { BOTTLENECK_DEFAULTS, type BottleneckOptions } from './bottleneck-options';
export { LORA_DEFAULTS, type LoraOptions, type LoraTarget } from './lora';
