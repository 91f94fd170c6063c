// Tests run on the plain tfjs CPU backend unless @hotplug/kernels provides initBackend(),
// which ensureBackend() then prefers.
import '@tensorflow/tfjs-backend-cpu';
import { ensureBackend } from '@hotplug/heads';

await ensureBackend();
