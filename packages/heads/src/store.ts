import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';

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

/** Reads what saveStored wrote, checking the format, the checksum and every array's size. */
export function loadStored(dir: string): { stored: StoredConfig; arrays: Map<string, StoredArray> } {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  if (!existsSync(configPath)) throw new Error(`no saved head at ${dir}: ${CONFIG_FILE} is missing (save one with head.save(dir))`);
  let stored: StoredConfig;
  try {
    stored = JSON.parse(readFileSync(configPath, 'utf8')) as StoredConfig;
  } catch (err) {
    throw new Error(`${configPath} is not valid JSON (${(err as Error).message}): the file is corrupt, save the head again`);
  }
  if (stored.format !== 'hotplug-head' || stored.formatVersion !== 1) {
    throw new Error(`${configPath} is not a hotplug head file (format ${String(stored.format)} v${String(stored.formatVersion)})`);
  }
  if (!existsSync(weightsPath)) throw new Error(`${weightsPath} is missing: ${CONFIG_FILE} needs it next to it`);
  const bytes = readFileSync(weightsPath);
  const actual = sha256(bytes);
  if (actual !== stored.weightsSha256) {
    throw new Error(`${weightsPath} is corrupt: sha256 ${actual.slice(0, 12)}… does not match ${stored.weightsSha256.slice(0, 12)}… in ${CONFIG_FILE}; save the head again`);
  }
  const arrays = new Map<string, StoredArray>();
  for (const e of stored.arrays) {
    if (e.offset + e.byteLength > bytes.byteLength) throw new Error(`array "${e.name}" runs past the end of ${weightsPath}`);
    const copy = new Uint8Array(e.byteLength);
    copy.set(bytes.subarray(e.offset, e.offset + e.byteLength));
    const data = e.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    arrays.set(e.name, { shape: e.shape, data });
  }
  return { stored, arrays };
}

/** Fetches a required array, with an error naming the file and the array. */
export function requireArray(arrays: Map<string, StoredArray>, name: string, dir: string): StoredArray {
  const a = arrays.get(name);
  if (!a) throw new Error(`saved head at ${dir} has no array "${name}": the file is incomplete or from another head kind`);
  return a;
}
