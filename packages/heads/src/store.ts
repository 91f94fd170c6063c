import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, parseJson, sha256, validate, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';

/** A saved head or index whose files are malformed, inconsistent or corrupt. */
export class HeadStoreError extends InputError {
  override name = 'HeadStoreError';
}

/** weights.bin may be at most this large (checked from the file's size before it is read). */
export const MAX_WEIGHTS_BYTES = 8 * 2 ** 30;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const StoredSchema = z.strictObject({
  format: z.literal('hotplug-head'),
  formatVersion: z.literal(1),
  kind: z.string().min(1).max(100),
  config: z.record(z.string(), z.unknown()),
  arrays: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200),
        // Only what saveStored writes: a float64 array cannot be read as float32.
        dtype: z.enum(['float32', 'int32']),
        shape: z.array(count.max(2 ** 31 - 1)).max(4),
        offset: count.multipleOf(4, 'a multiple of 4 (arrays are 4-byte aligned)'),
        byteLength: count.multipleOf(4, 'a multiple of 4 (4-byte values)'),
      }),
    )
    .max(10_000),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'),
});

const FIX = 'save the head again (head.save(dir))';

/** Limits of a stored head's declared sizes. */
export const HEAD_LIMITS = { dim: 1 << 16, numClasses: 1 << 20 };

const identity = z.strictObject({
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits (weightsFingerprint)'),
  name: z.string().max(200).optional(),
});

/** The `info` section of a saved classifier head. */
export const HeadInfoSchema = z.strictObject({
  kind: z.string().min(1),
  dim: z.number().int().positive().max(HEAD_LIMITS.dim),
  numClasses: z.number().int().positive().max(HEAD_LIMITS.numClasses),
  modelId: z.string().max(500).optional(),
  normalize: z.boolean(),
  space: identity.optional(),
});

/** A named numeric array saved next to a head's JSON config. */
export interface StoredArray {
  shape: number[];
  data: Float32Array | Int32Array;
}

interface ManifestEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  byteLength: number;
}

/** The JSON file of a saved head or index: what it is, how it was built, where its arrays lie. */
export interface StoredConfig {
  format: 'hotplug-head';
  formatVersion: 1;
  kind: string;
  config: Record<string, unknown>;
  arrays: ManifestEntry[];
  weightsSha256: string;
}

export const CONFIG_FILE = 'head.json';
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Saves a config and its arrays into `dir` as head.json + weights.bin (little-endian,
 * concatenated). The weights go first and the JSON last, both atomically, so a reader
 * never sees a config that points at weights that are not fully there.
 */
export function saveStored(dir: string, kind: string, config: Record<string, unknown>, arrays: Record<string, StoredArray>): void {
  const entries: ManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, arr] of Object.entries(arrays)) {
    const count = arr.shape.reduce((a, b) => a * b, 1);
    if (count !== arr.data.length) throw new Error(`array "${name}" has ${arr.data.length} values for shape [${arr.shape}]`);
    const bytes = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
    entries.push({ name, dtype: arr.data instanceof Int32Array ? 'int32' : 'float32', shape: arr.shape, offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const all = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  writeFileAtomic(join(dir, WEIGHTS_FILE), all);
  const stored: StoredConfig = { format: 'hotplug-head', formatVersion: 1, kind, config, arrays: entries, weightsSha256: sha256(all) };
  writeJsonAtomic(join(dir, CONFIG_FILE), stored);
}

/**
 * Reads what saveStored wrote. head.json is checked against its schema, and every array's
 * offset, size (shape x 4 bytes) and extent against the length of weights.bin, before the
 * weights are read; then the checksum. Arrays may not overlap.
 */
export function loadStored(dir: string): { stored: StoredConfig; arrays: Map<string, StoredArray> } {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  if (!existsSync(configPath)) throw new HeadStoreError(`no saved head at ${dir}: ${CONFIG_FILE} is missing (save one with head.save(dir))`, configPath);
  const raw = parseJson(readFileSync(configPath, 'utf8'), configPath, `the file is corrupt, ${FIX}`, HeadStoreError);
  if (raw && typeof raw === 'object' && ((raw as { format?: unknown }).format !== 'hotplug-head' || (raw as { formatVersion?: unknown }).formatVersion !== 1)) {
    const r = raw as { format?: unknown; formatVersion?: unknown };
    throw new HeadStoreError(`${configPath} is not a hotplug head file (format ${String(r.format)} v${String(r.formatVersion)})`, configPath, 'format');
  }
  const stored = validate(StoredSchema, raw, configPath, FIX, HeadStoreError) as StoredConfig;
  if (!existsSync(weightsPath)) throw new HeadStoreError(`${weightsPath} is missing: ${CONFIG_FILE} needs it next to it`, weightsPath);
  const size = statSync(weightsPath).size;
  if (size > MAX_WEIGHTS_BYTES) throw new HeadStoreError(`${weightsPath} is ${size} bytes, above the ${MAX_WEIGHTS_BYTES}-byte limit`, weightsPath);
  const names = new Set<string>();
  let end = 0;
  for (const e of [...stored.arrays].sort((x, y) => x.offset - y.offset)) {
    const where = `${configPath}: array "${e.name}"`;
    if (names.has(e.name)) throw new HeadStoreError(`${where} appears twice; ${FIX}`, configPath, 'arrays');
    names.add(e.name);
    const values = e.shape.reduce((a, b) => a * b, 1);
    if (values * 4 !== e.byteLength)
      throw new HeadStoreError(
        `${where} has shape [${e.shape}] (${values} ${e.dtype} values, ${values * 4} bytes) but byteLength ${e.byteLength}; ${FIX}`,
        configPath,
        'arrays.byteLength',
      );
    if (e.offset < end)
      throw new HeadStoreError(`${where} at offset ${e.offset} overlaps the array before it (which ends at ${end}); ${FIX}`, configPath, 'arrays.offset');
    end = e.offset + e.byteLength;
    if (end > size)
      throw new HeadStoreError(
        `${where} (offset ${e.offset}, ${e.byteLength} bytes) runs past the end of ${weightsPath} (${size} bytes); ${FIX}`,
        configPath,
        'arrays.offset',
      );
  }
  const bytes = readFileSync(weightsPath);
  const actual = sha256(bytes);
  if (actual !== stored.weightsSha256) {
    throw new HeadStoreError(
      `${weightsPath} is corrupt: sha256 ${actual.slice(0, 12)}… does not match ${stored.weightsSha256.slice(0, 12)}… in ${CONFIG_FILE}; save the head again`,
      weightsPath,
    );
  }
  const arrays = new Map<string, StoredArray>();
  for (const e of stored.arrays) {
    const copy = new Uint8Array(e.byteLength);
    copy.set(bytes.subarray(e.offset, e.offset + e.byteLength));
    const data = e.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    if (data instanceof Float32Array && !data.every(Number.isFinite))
      throw new HeadStoreError(`${configPath}: array "${e.name}" holds NaN or infinite values; ${FIX}`, weightsPath);
    arrays.set(e.name, { shape: e.shape, data });
  }
  return { stored, arrays };
}

/** Checks a stored config section against its schema, as a HeadStoreError naming the file. */
export function storedConfig<S extends z.ZodType>(schema: S, value: unknown, dir: string): z.output<S> {
  return validate(schema, value, join(dir, CONFIG_FILE), FIX, HeadStoreError);
}

/** Fetches a required array, with an error naming the file and the array. */
export function requireArray(arrays: Map<string, StoredArray>, name: string, dir: string): StoredArray {
  const a = arrays.get(name);
  if (!a) throw new HeadStoreError(`saved head at ${dir} has no array "${name}": the file is incomplete or from another head kind`);
  return a;
}
