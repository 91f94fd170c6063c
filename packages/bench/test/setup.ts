// Tests use the backend @hotplug/kernels picks here, as applications do.
import { ensureBackend } from '@hotplug/heads';

await ensureBackend();
