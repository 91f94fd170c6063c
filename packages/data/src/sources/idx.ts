import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ImageDataset } from '../types';

/** Element types of the IDX format (LeCun's MNIST files), by their type byte. */
const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

/** A parsed IDX array: its element type, dimensions and values (multi-byte types converted from big-endian). */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Reads bytes, gunzipping when they start with the gzip magic. `what` names the file in errors. */
export function readMaybeGzip(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${path} looks gzipped but does not decompress (${(err as Error).message}); the file is corrupt or truncated, reinstall or re-download it`);
    }
  }
  return bytes;
}

/** Parses IDX bytes. Throws naming the file and the problem on a bad magic, unknown type or wrong length. */
export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${what} is not an IDX file: it must start with two zero bytes, a type byte and a dimension count`);
  }
  const spec = IDX_TYPES[bytes[2] as keyof typeof IDX_TYPES];
  if (!spec) throw new Error(`${what}: unknown IDX element type 0x${bytes[2]!.toString(16)} (known: 0x08 0x09 0x0b 0x0c 0x0d 0x0e)`);
  const ndim = bytes[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (ndim === 0 || bytes.length < headerBytes) throw new Error(`${what}: truncated IDX header (${ndim} dimensions, ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * spec.bytes;
  if (bytes.length !== expected) {
    throw new Error(`${what}: IDX header says ${dims.join('x')} ${spec.name} (${expected} bytes) but the file has ${bytes.length} bytes; it is truncated or corrupt`);
  }
  return { type: spec.name, dims, data: decodeValues(view, headerBytes, count, spec.name) };
}

function decodeValues(view: DataView, offset: number, count: number, type: IdxType): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Reads one IDX file (raw or .gz). */
export function readIdx(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

export interface IdxDatasetOptions {
  /** Path of the images file: uint8, dims [N, H, W] or [N, H, W, C]. */
  images: string;
  /** Path of the labels file: uint8, dims [N]. */
  labels: string;
  /** Class names by label; defaults to '0', '1', ... up to the largest label. */
  classNames?: readonly string[];
  name?: string;
  split?: string;
}

/** Builds a dataset from a pair of IDX files (the canonical MNIST / Fashion-MNIST layout). */
export function readIdxDataset(options: IdxDatasetOptions): ImageDataset {
  const img = readIdx(options.images);
  const lab = readIdx(options.labels);
  return idxPairToDataset(img, lab, options);
}

/** Checks and combines already-parsed IDX image and label arrays. */
export function idxPairToDataset(img: IdxArray, lab: IdxArray, options: Omit<IdxDatasetOptions, 'images' | 'labels'> & { images?: string; labels?: string }): ImageDataset {
  const imgName = options.images ?? 'images';
  const labName = options.labels ?? 'labels';
  if (img.type !== 'uint8' || (img.dims.length !== 3 && img.dims.length !== 4)) {
    throw new Error(`${imgName}: expected uint8 images of dims [N,H,W] or [N,H,W,C], got ${img.type} [${img.dims.join(',')}]`);
  }
  if (lab.type !== 'uint8' || lab.dims.length !== 1) {
    throw new Error(`${labName}: expected uint8 labels of dims [N], got ${lab.type} [${lab.dims.join(',')}]`);
  }
  const [n, h, w, c = 1] = img.dims as [number, number, number, number?];
  if (lab.dims[0] !== n) throw new Error(`${imgName} has ${n} images but ${labName} has ${lab.dims[0]} labels; the files do not belong together`);
  const labels = Int32Array.from(lab.data as Uint8Array);
  const maxLabel = labels.reduce((m, l) => Math.max(m, l), -1);
  const classNames = options.classNames ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= classNames.length) throw new Error(`${labName}: label ${maxLabel} but only ${classNames.length} class names were given`);
  return {
    name: options.name ?? 'idx',
    split: options.split ?? 'all',
    size: n,
    height: h,
    width: w,
    channels: c,
    images: img.data as Uint8Array,
    labels,
    classNames: [...classNames],
  };
}
