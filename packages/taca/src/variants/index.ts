import { registerAdapter } from '../registry';
import { loraAdapter } from './lora';
import { parallelAdapter } from './parallel';
import { projectionAdapter } from './projection';
import { sequentialAdapter } from './sequential';
import { tacaSymmetric } from './taca-symmetric';

// The built-in variants; a new one is one file plus one line here (or a registerAdapter call in user code).
registerAdapter('taca-symmetric', tacaSymmetric);
registerAdapter('sequential', sequentialAdapter);
registerAdapter('parallel', parallelAdapter);
registerAdapter('lora', loraAdapter);
registerAdapter('projection', projectionAdapter);

export { tacaSymmetric, sequentialAdapter, parallelAdapter, loraAdapter, projectionAdapter };
