import { IndexInputError } from './errors';
import { sha256FileStreamed } from '@hotplug/runtime';

/**
 * What a stored vector means: the model that wrote it and everything applied after it.
 * Two vectors are comparable only when their spaces are the same (`sameSpace`).
 */
export interface EmbeddingSpace {
  /** Fingerprint of the model weights (e.g. the first 16 hex digits of the model file's SHA-256). */
  model: string;
  /** Human name of the model, for messages only (not part of the identity). */
  modelName?: string;
  /** Embedding width. */
  dim: number;
  /** Whether vectors are L2-normalised (a normalised table is searched by dot product). */
  normalized: boolean;
  /** Chain of adapters/maps applied after the model, each `kind:fingerprint`, in order. */
  adapters: string[];
}

/** Checks a space's fields; returns a copy with `adapters` filled in. */
export function checkSpace(space: EmbeddingSpace, what = 'embedding space'): EmbeddingSpace {
  const problems: string[] = [];
  if (!space || typeof space !== 'object') throw new IndexInputError(`${what} must be an object { model, dim, normalized, adapters }`);
  if (typeof space.model !== 'string' || space.model === '')
    problems.push('model must be a non-empty fingerprint string (e.g. sha256 of the weights, first 16 hex)');
  if (!Number.isInteger(space.dim) || space.dim <= 0) problems.push(`dim must be a positive integer, got ${space.dim}`);
  if (typeof space.normalized !== 'boolean') problems.push(`normalized must be true or false, got ${JSON.stringify(space.normalized)}`);
  const adapters = space.adapters ?? [];
  if (!Array.isArray(adapters) || adapters.some((a) => typeof a !== 'string' || a === ''))
    problems.push(`adapters must be a list of non-empty strings, got ${JSON.stringify(space.adapters)}`);
  if (space.modelName !== undefined && typeof space.modelName !== 'string') problems.push('modelName must be a string when given');
  if (problems.length) throw new IndexInputError(`invalid ${what}:\n  - ${problems.join('\n  - ')}`);
  const out: EmbeddingSpace = { model: space.model, dim: space.dim, normalized: space.normalized, adapters: [...adapters] };
  if (space.modelName !== undefined) out.modelName = space.modelName;
  return out;
}

/** A stable string identity of a space (modelName excluded): equal keys <=> same space. */
export function spaceKey(space: EmbeddingSpace): string {
  const s = checkSpace(space);
  return [s.model, s.dim, s.normalized ? 'l2' : 'raw', ...s.adapters].join('|');
}

/** Whether vectors of `a` and `b` may be compared. */
export function sameSpace(a: EmbeddingSpace, b: EmbeddingSpace): boolean {
  return spaceKey(a) === spaceKey(b);
}

/** One line for messages: `model "old" (ab12…, 64-dim, normalised, adapters: none)`. */
export function describeSpace(space: EmbeddingSpace): string {
  const name = space.modelName ? `"${space.modelName}" ` : '';
  const adapters = space.adapters?.length ? space.adapters.join(' -> ') : 'none';
  return `model ${name}(${space.model}, ${space.dim}-dim, ${space.normalized ? 'normalised' : 'not normalised'}, adapters: ${adapters})`;
}

/** The space of vectors from `space` after one more adapter/map `label` (`kind:fingerprint`) of output width `dim`. */
export function extendSpace(space: EmbeddingSpace, label: string, dim: number, normalized = space.normalized): EmbeddingSpace {
  const s = checkSpace(space);
  return { ...s, dim, normalized, adapters: [...s.adapters, label] };
}

/** The model fingerprint convention: the first 16 hex digits of the SHA-256 of the weights file. */
export async function fingerprintFile(path: string): Promise<string> {
  return (await sha256FileStreamed(path)).slice(0, 16);
}
