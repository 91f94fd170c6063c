import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init';

let ready: Promise<void> | undefined;

/**
 * Makes sure a tfjs backend is active before a library computes: a backend the application
 * already chose is kept; otherwise `initBackend()` picks the fastest one available here.
 * Libraries call this instead of `initBackend()` so they never override the user's choice.
 */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    if (!tf.getBackend()) await initBackend();
    await tf.ready();
  })();
  return ready;
}
