// Tests use the backend @hotplug/kernels picks here, as applications do.
import { ensureBackend } from '../src/index';

await ensureBackend();
