import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';

let ready: Promise<void> | undefined;

/** Keeps a tfjs backend the application chose; otherwise @hotplug/kernels picks the fastest one here. */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    if (!tf.getBackend()) await initBackend();
    await tf.ready();
  })();
  return ready;
}
