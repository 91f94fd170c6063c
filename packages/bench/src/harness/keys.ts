import { sha256 } from '@hotplug/runtime';

/** JSON with object keys sorted, so equal configs always serialise (and hash) the same way. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** The stable key of a grid cell: the first 20 hex digits of the SHA-256 of its config. */
export function cellKey(config: unknown): string {
  return sha256(stableStringify(config)).slice(0, 20);
}
