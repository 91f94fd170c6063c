import type { Adapter, AdapterTarget } from './adapter';
import { resolveAdapterConfig, type AdapterConfig, type AdapterConfigInput } from './config';

/** Builds one adapter family's variables and hooks for a target encoder. */
export type AdapterFactory = (config: AdapterConfig, target: AdapterTarget) => Adapter;

const factories = new Map<string, AdapterFactory>();

/** Adds (or replaces) a variant; `createAdapter({ variant: name })` then builds it. */
export function registerAdapter(name: string, factory: AdapterFactory): void {
  if (!name || typeof name !== 'string') throw new Error('registerAdapter needs a non-empty name');
  factories.set(name, factory);
}

export function adapterNames(): string[] {
  return [...factories.keys()];
}

/** Builds a registered variant from a config (defaults filled in). */
export function createAdapter(config: AdapterConfigInput, target: AdapterTarget): Adapter {
  const resolved = resolveAdapterConfig(config);
  const factory = factories.get(resolved.variant);
  if (!factory) throw new Error(`unknown adapter variant "${resolved.variant}"; known variants: ${adapterNames().join(', ')} (add one with registerAdapter(name, factory))`);
  return factory(resolved, target);
}
