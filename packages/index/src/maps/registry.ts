import { IndexInputError } from '../errors';
import type { MapFactory, MapShape, MapVariantSpec } from './types';

interface Entry {
  factory: MapFactory<never>;
  spec: MapVariantSpec<never>;
}

const variants = new Map<string, Entry>();

/**
 * Registers a map variant under a unique name (a duplicate throws, as heads' registry does).
 * `spec.defaults` lists every option with its default; `spec.validate` returns problems.
 */
export function registerMap<O extends object>(name: string, factory: MapFactory<O>, spec: MapVariantSpec<O>): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name))
    throw new IndexInputError(`a map variant name must be lower-case letters, digits and dashes, got ${JSON.stringify(name)}`);
  if (variants.has(name)) throw new IndexInputError(`a map variant named "${name}" is already registered`);
  if (!spec || typeof spec.describe !== 'string' || typeof spec.defaults !== 'object')
    throw new IndexInputError(`registerMap("${name}") needs { defaults, describe } (and optionally validate)`);
  variants.set(name, { factory: factory as MapFactory<never>, spec: spec as unknown as MapVariantSpec<never> });
}

/** Names of the registered map variants. */
export function mapNames(): string[] {
  return [...variants.keys()];
}

/** A variant's defaults and description. */
export function mapInfo(name: string): { name: string; defaults: Readonly<Record<string, unknown>>; describe: string } {
  const e = entry(name);
  return { name, defaults: { ...(e.spec.defaults as object) }, describe: e.spec.describe };
}

function entry(name: string): Entry {
  const e = variants.get(name);
  if (!e)
    throw new IndexInputError(`unknown map variant "${name}"; registered variants: ${mapNames().join(', ')} (add one with registerMap(name, factory, spec))`);
  return e;
}

/** Fills a variant's defaults into `input`, rejecting unknown keys and invalid values with one message. */
export function resolveMapOptions(name: string, input: Record<string, unknown> = {}, shape?: MapShape): Record<string, unknown> {
  const e = entry(name);
  const defaults = e.spec.defaults as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !(k in defaults));
  const problems = unknown.map((k) => `unknown option "${k}" (options of ${name}: ${Object.keys(defaults).join(', ') || 'none'})`);
  const resolved = { ...defaults, ...input };
  for (const [k, v] of Object.entries(resolved)) {
    const d = defaults[k];
    if (d !== undefined && v !== undefined && typeof d !== typeof v) problems.push(`option "${k}" must be a ${typeof d}, got ${JSON.stringify(v)}`);
  }
  if (!problems.length && e.spec.validate) problems.push(...(e.spec.validate as (o: Record<string, unknown>, s?: MapShape) => string[])(resolved, shape));
  if (problems.length) throw new IndexInputError(`invalid options for map "${name}":\n  - ${problems.join('\n  - ')}`);
  return resolved;
}

/** Internal: the factory of a variant, for fitMap and loadMap. */
export function mapFactory(name: string): MapFactory<Record<string, unknown>> {
  return entry(name).factory as MapFactory<Record<string, unknown>>;
}
