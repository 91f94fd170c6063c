import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_LOADERS } from './candidates';
import { silenceNodeBackendHint } from './quiet';
import { BACKEND_ORDER, isBackendName } from './types';
import type { BackendName, BackendReport, InitBackendOptions } from './types';

/** Environment variable that forces a backend when initBackend gets no explicit preference. */
export const BACKEND_ENV = 'HOTPLUG_BACKEND';

let current: { preference: BackendName | 'auto'; report: BackendReport } | null = null;

function resolvePreference(preference: BackendName | 'auto' | undefined): { wanted: BackendName | 'auto'; source: string } {
  if (preference !== undefined && preference !== 'auto') return { wanted: checkName(preference, 'initBackend(preference)'), source: 'the preference argument' };
  const fromEnv = process.env[BACKEND_ENV]?.trim();
  if (fromEnv && fromEnv !== 'auto') return { wanted: checkName(fromEnv, `${BACKEND_ENV}=${fromEnv}`), source: `${BACKEND_ENV}=${fromEnv}` };
  return { wanted: 'auto', source: 'auto' };
}

function checkName(name: string, where: string): BackendName {
  if (!isBackendName(name)) {
    throw new Error(`${where}: unknown backend '${name}'; expected one of ${BACKEND_ORDER.join(', ')} or 'auto'`);
  }
  return name;
}

async function activate(name: BackendName): Promise<{ ok: true; report: Omit<BackendReport, 'skipped'> } | { ok: false; reason: string }> {
  const found = await BACKEND_LOADERS[name]();
  if (!found.ok) return found;
  let set = false;
  try {
    set = await tf.setBackend(found.tfBackend);
  } catch (error) {
    return { ok: false, reason: `tf.setBackend('${found.tfBackend}') threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!set) return { ok: false, reason: `tf.setBackend('${found.tfBackend}') failed to initialise` };
  silenceNodeBackendHint(tf.backend());
  const { ok: _ok, ...details } = found;
  return { ok: true, report: { name, ...details } };
}

/** Names of the backends that can be used here (probes each; registers what it finds). */
export async function availableBackends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const name of BACKEND_ORDER) if ((await BACKEND_LOADERS[name]()).ok) out.push(name);
  return out;
}

function formatReport(report: BackendReport, source: string): string {
  const details = [report.threads !== undefined ? `${report.threads} threads` : '', report.simd ?? ''].filter(Boolean).join(', ');
  const head = `[@hotplug/kernels] backend ${report.name} (tfjs '${report.tfBackend}'${details ? `, ${details}` : ''}) chosen by ${source}`;
  const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return skipped ? `${head}; skipped ${skipped}` : head;
}

/**
 * Picks and activates the tfjs backend: the first that works of tfjs-node-gpu, tfjs-node,
 * the native 'hotplug-cpu' backend, wasm and cpu, or exactly the one forced by `preference`
 * or the HOTPLUG_BACKEND environment variable (an unavailable forced backend is an error).
 * Calling it again with the same preference returns the same report.
 */
export async function initBackend(preference?: BackendName | 'auto', options: InitBackendOptions = {}): Promise<BackendReport> {
  const log = options.log ?? ((line: string) => console.info(line));
  const { wanted, source } = resolvePreference(preference);
  if (current && current.preference === wanted && tf.getBackend() === current.report.tfBackend) return current.report;

  if (wanted !== 'auto') {
    const result = await activate(wanted);
    if (!result.ok) {
      const available = await availableBackends();
      // Probing may have switched nothing, but restore the previous choice if there was one.
      if (current) await tf.setBackend(current.report.tfBackend);
      throw new Error(`backend '${wanted}' (forced by ${source}) is unavailable: ${result.reason}. Available here: ${available.join(', ') || 'none'}`);
    }
    const report: BackendReport = { ...result.report, skipped: [] };
    current = { preference: wanted, report };
    log(formatReport(report, source));
    return report;
  }

  const skipped: BackendReport['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    const result = await activate(name);
    if (!result.ok) {
      skipped.push({ name, reason: result.reason });
      continue;
    }
    const report: BackendReport = { ...result.report, skipped };
    current = { preference: wanted, report };
    log(formatReport(report, 'automatic selection'));
    return report;
  }
  throw new Error(`no tfjs backend could be initialised: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
