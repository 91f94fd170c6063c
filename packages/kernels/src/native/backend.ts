import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Availability } from '../backend/types';
import { loadAddon } from './addon';
import { nativeKernels } from './kernels';
import { fusedKernels } from './kernels/fused';
import { silenceNodeBackendHint } from '../backend/quiet';

/** The tfjs backend name of the native CPU backend. */
export const NATIVE_BACKEND = 'hotplug-cpu';

/**
 * The native backend is the cpu backend (same tensor storage: plain typed arrays) under its
 * own name, so that its kernel table can differ: every 'cpu' kernel is registered for it,
 * then the hot ones are replaced by native versions that fall back to the cpu kernel for
 * dtypes or layouts they do not cover.
 */
class HotplugCpuBackend extends MathBackendCPU {}

let registered = false;

/** Set HOTPLUG_MALLOC=default to leave glibc's allocator settings alone. */
export const MALLOC_ENV = 'HOTPLUG_MALLOC';

/** Registers 'hotplug-cpu' (once) if the addon loads; says why not otherwise. */
export function registerNativeBackend(): Availability {
  const loaded = loadAddon();
  if ('error' in loaded) return { ok: false, reason: loaded.error };
  const { addon } = loaded;
  if (!registered) {
    tf.registerBackend(
      NATIVE_BACKEND,
      () => {
        // Only when this backend is actually created: see tuneAllocator in native/addon.cc.
        if (process.env[MALLOC_ENV] !== 'default') addon.tuneAllocator();
        const backend = new HotplugCpuBackend();
        silenceNodeBackendHint(backend);
        return backend;
      },
      0,
    );
    for (const config of tf.getKernelsForBackend('cpu')) {
      tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
    }
    for (const config of nativeKernels(addon)) {
      tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
      tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
    }
    // The fused ops' kernels exist only here (no cpu kernel of that name to replace).
    for (const config of fusedKernels(addon)) tf.registerKernel(config);
    registered = true;
  }
  const { threads, simd } = addon.info();
  return { ok: true, tfBackend: NATIVE_BACKEND, threads, simd };
}
