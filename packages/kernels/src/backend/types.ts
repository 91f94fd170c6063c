/** Backends in order of preference (fastest first). */
export type BackendName = 'node-gpu' | 'node' | 'hotplug-cpu' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'hotplug-cpu', 'wasm', 'cpu'];

export interface BackendReport {
  /** The backend in use. */
  name: BackendName;
  /** Its tfjs registration name (what tf.getBackend() returns). */
  tfBackend: string;
  /** Better backends that were tried and why each was not used. */
  skipped: { name: BackendName; reason: string }[];
  /** Worker threads of the native backend. */
  threads?: number;
  /** SIMD code path of the native backend ('avx2-fma' or 'generic'). */
  simd?: string;
}

export interface InitBackendOptions {
  /** Where the one-line report goes; defaults to console.info. */
  log?: (line: string) => void;
}

/** What one candidate's loader found: ready (with details) or unavailable (with the reason). */
export type Availability = { ok: true; tfBackend: string; threads?: number; simd?: string } | { ok: false; reason: string };

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}
