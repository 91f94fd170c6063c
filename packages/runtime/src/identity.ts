import { createHash } from 'node:crypto';
import { InputError } from './errors';

/** What a fingerprint is taken of: named tensors (tfjs Variables and Tensors fit). */
export interface FingerprintTensor {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number> & { readonly buffer: ArrayBufferLike; readonly byteOffset: number; readonly byteLength: number };
}

/**
 * Identity of a model's weights: SHA-256 over the sorted names, shapes and float values, first
 * 16 hex digits. The same weights give the same fingerprint whatever file they came from;
 * retraining or a different model gives another one.
 */
export function weightsFingerprint(weights: Iterable<readonly [string, FingerprintTensor]>): string {
  const hash = createHash('sha256');
  for (const [name, t] of [...weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${name}:${t.shape.join('x')};`);
    const v = t.dataSync();
    hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A model as an artefact records it: fingerprint, and a name for messages. */
export interface ModelIdentity {
  fingerprint: string;
  name?: string;
}

/** An artefact (adapter, head, prompt state) loaded into a model it was not trained on. */
export class IdentityMismatchError extends InputError {
  override name = 'IdentityMismatchError';
}

const describe = (m: ModelIdentity) => `${m.name ? `"${m.name}" ` : ''}(fingerprint ${m.fingerprint})`;

/**
 * Refuses to use `what` (trained on `saved`) with `current` unless `force`. A `saved` of
 * undefined is an artefact from before fingerprints were recorded: accepted with a warning.
 */
export function checkIdentity(
  what: string,
  source: string,
  saved: ModelIdentity | undefined,
  current: ModelIdentity | undefined,
  options: { force?: boolean; role?: string; warn?: (m: string) => void } = {},
): void {
  const role = options.role ?? 'model';
  if (!current) return;
  if (!saved) {
    (options.warn ?? console.warn)(
      `${source}: ${what} records no ${role} fingerprint (saved before fingerprints were recorded); cannot check it was trained on ${describe(current)}`,
    );
    return;
  }
  if (saved.fingerprint === current.fingerprint) return;
  const message = `${what} in ${source} was trained on ${role} ${describe(saved)}, but is being loaded into ${describe(current)}; use it with the ${role} it was trained on, retrain it, or pass force to load it anyway`;
  if (options.force) (options.warn ?? console.warn)(`${message} (forced)`);
  else throw new IdentityMismatchError(message, source, role);
}
