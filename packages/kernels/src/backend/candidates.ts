import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeBackend } from '../native/backend';
import { registerWasmGradientKernels } from '../wasm/gradient-kernels';
import type { Availability, BackendName } from './types';

/** Why loading failed, in one line. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}

/**
 * Whether an installed tfjs-node(-gpu) has its native binding. npm installs the package even
 * when its install step (which downloads libtensorflow) fails or is skipped; importing it then
 * throws only after registering its kernels, so look before importing.
 */
function bindingProblem(pkg: string): string | null {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} is not installed (an optional peer dependency: npm install ${pkg}@4.22.0 where its install can download libtensorflow)`;
  }
  const lib = join(dirname(manifest), 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((dir) => existsSync(join(lib, dir, 'tfjs_binding.node')));
  return found
    ? null
    : `${pkg} is installed without its native binding (lib/napi-v*/tfjs_binding.node): its install step, which downloads libtensorflow, did not complete`;
}

/** Loads an optional tfjs-node package; it registers the 'tensorflow' backend on import. */
async function loadTfjsNode(pkg: string): Promise<Availability> {
  const problem = bindingProblem(pkg);
  if (problem) return { ok: false, reason: problem };
  try {
    await import(pkg);
  } catch (error) {
    return { ok: false, reason: `${pkg} cannot be loaded (${describe(error)}); install it where libtensorflow can be downloaded` };
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend` };
  }
  return { ok: true, tfBackend: 'tensorflow' };
}

/** One loader per backend name: probes availability and registers what is needed. */
export const BACKEND_LOADERS: Record<BackendName, () => Promise<Availability>> = {
  'node-gpu': () => loadTfjsNode('@tensorflow/tfjs-node-gpu'),
  node: () => loadTfjsNode('@tensorflow/tfjs-node'),
  'hotplug-cpu': async () => registerNativeBackend(),
  wasm: async () => {
    registerWasmGradientKernels();
    return { ok: true, tfBackend: 'wasm' };
  },
  cpu: async () => ({ ok: true, tfBackend: 'cpu' }),
};
