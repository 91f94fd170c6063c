import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon-types';

/** Path of the compiled addon relative to the package root (node-gyp's output). */
const ADDON_PATH = join('build', 'Release', 'hotplug_kernels.node');

/** Set HOTPLUG_NATIVE=off to skip the native backend (e.g. to compare against wasm). */
export const NATIVE_ENV = 'HOTPLUG_NATIVE';

let cached: { addon: NativeAddon } | { error: string } | null = null;

/** Walks up from this module (src/native in tests, dist when built) to the package root. */
function findAddonFile(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, ADDON_PATH);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** Loads the native addon once; returns it, or the reason it is unavailable. */
export function loadAddon(): { addon: NativeAddon } | { error: string } {
  if (process.env[NATIVE_ENV] === 'off') return { error: `disabled by ${NATIVE_ENV}=off` };
  if (cached) return cached;
  const file = findAddonFile();
  if (!file) {
    cached = {
      error: `native addon ${ADDON_PATH} not found (prebuilt for linux-x64 only; this is ${process.platform}-${process.arch}: build it with npm run build:native in @hotplug/kernels, see its README)`,
    };
    return cached;
  }
  try {
    const require = createRequire(import.meta.url);
    cached = { addon: require(file) as NativeAddon };
  } catch (error) {
    cached = {
      error: `native addon ${file} failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (rebuild it for this machine with npm run build:native in @hotplug/kernels)`,
    };
  }
  return cached;
}
