import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { IdxFileError } from '../errors';
import type { ImageDataset } from '../types';

/** Largest decompressed size readMaybeGzip accepts by default (the Fashion-MNIST train images are 47 MB). */
export const DEFAULT_MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

export interface GunzipOptions {
  /** Decompression stops with IdxFileError past this many bytes (default DEFAULT_MAX_GUNZIP_BYTES, 256 MiB). */
  maxOutputLength?: number;
}

/** Element types of the IDX format (LeCun's MNIST files), by their type byte. */
const IDX_TYPES = {
  8: { name: 'uint8', bytes: 1 },
  9: { name: 'int8', bytes: 1 },
  11: { name: 'int16', bytes: 2 },
  12: { name: 'int32', bytes: 4 },
  13: { name: 'float32', bytes: 4 },
  14: { name: 'float64', bytes: 8 },
} as const;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

/** A parsed IDX array: its element type, dimensions and values (multi-byte types converted from big-endian). */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Reads bytes, gunzipping when they start with the gzip magic. `what` names the file in errors. */
export function readMaybeGzip(path: string, options: GunzipOptions = {}): Uint8Array {
  const limit = options.maxOutputLength ?? DEFAULT_MAX_GUNZIP_BYTES;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new IdxFileError({ file: path, problem: `cannot read ${path}: ${(err as Error).message}`, fix: 'Check the path' });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: limit });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
        throw new IdxFileError({
          file: path,
          field: 'gzip',
          problem: `decompresses to more than ${limit} bytes (maxOutputLength)`,
          fix: 'A legitimate file this large needs a larger { maxOutputLength }; otherwise the file is not what it claims',
        });
      throw new IdxFileError({
        file: path,
        field: 'gzip',
        problem: `${path} looks gzipped but does not decompress (${e.message}); the file is corrupt or truncated`,
        fix: 'Reinstall or re-download it',
      });
    }
  } else if (bytes.length > limit) {
    throw new IdxFileError({ file: path, problem: `is ${bytes.length} bytes, above the limit ${limit} (maxOutputLength)` });
  }
  return bytes;
}

/** Parses IDX bytes. Throws naming the file and the problem on a bad magic, unknown type or wrong length. */
export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  const fail = (field: string, problem: string, expected?: string): never => {
    throw new IdxFileError({
      file: what,
      field,
      problem,
      ...(expected ? { expected } : {}),
      fix: 'The file is truncated or corrupt; reinstall or re-download it',
    });
  };
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFileError({
      file: what,
      field: 'magic',
      problem: `${what} is not an IDX file: it must start with two zero bytes, a type byte and a dimension count`,
    });
  }
  const spec = IDX_TYPES[bytes[2] as keyof typeof IDX_TYPES];
  if (!spec) fail('type byte', `unknown IDX element type 0x${bytes[2]!.toString(16)}`, 'one of 0x08 0x09 0x0b 0x0c 0x0d 0x0e');
  const ndim = bytes[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (ndim === 0 || bytes.length < headerBytes) fail('dimensions', `truncated IDX header (${ndim} dimensions, ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  // Compared with the file's length before anything is allocated; a hostile product only fails the comparison.
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * spec!.bytes;
  if (bytes.length !== expected)
    fail(
      'dimensions',
      `IDX header says ${dims.join('x')} ${spec!.name} (${expected} bytes) but the file has ${bytes.length} bytes; it is truncated or corrupt`,
    );
  return { type: spec!.name, dims, data: decodeValues(view, headerBytes, count, spec!.name) };
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

/** Reads one IDX file (raw or .gz; decompression bounded by maxOutputLength). */
export function readIdx(path: string, options: GunzipOptions = {}): IdxArray {
  return parseIdx(readMaybeGzip(path, options), path);
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
  /** Decompression limit per file (see readMaybeGzip). */
  maxOutputLength?: number;
}

/** Builds a dataset from a pair of IDX files (the canonical MNIST / Fashion-MNIST layout). */
export function readIdxDataset(options: IdxDatasetOptions): ImageDataset {
  const gz = options.maxOutputLength !== undefined ? { maxOutputLength: options.maxOutputLength } : {};
  const img = readIdx(options.images, gz);
  const lab = readIdx(options.labels, gz);
  return idxPairToDataset(img, lab, options);
}

/** Checks and combines already-parsed IDX image and label arrays. */
export function idxPairToDataset(
  img: IdxArray,
  lab: IdxArray,
  options: Omit<IdxDatasetOptions, 'images' | 'labels'> & { images?: string; labels?: string },
): ImageDataset {
  const imgName = options.images ?? 'images';
  const labName = options.labels ?? 'labels';
  if (img.type !== 'uint8' || (img.dims.length !== 3 && img.dims.length !== 4)) {
    throw new IdxFileError({
      file: imgName,
      field: 'dimensions',
      problem: `expected uint8 images of dims [N,H,W] or [N,H,W,C], got ${img.type} [${img.dims.join(',')}]`,
    });
  }
  if (lab.type !== 'uint8' || lab.dims.length !== 1) {
    throw new IdxFileError({ file: labName, field: 'dimensions', problem: `expected uint8 labels of dims [N], got ${lab.type} [${lab.dims.join(',')}]` });
  }
  const [n, h, w, c = 1] = img.dims as [number, number, number, number?];
  if (lab.dims[0] !== n)
    throw new IdxFileError({
      file: labName,
      field: 'dimensions',
      problem: `${imgName} has ${n} images but ${labName} has ${lab.dims[0]} labels; the files do not belong together`,
    });
  const labels = Int32Array.from(lab.data as Uint8Array);
  const maxLabel = labels.reduce((m, l) => Math.max(m, l), -1);
  const classNames = options.classNames ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= classNames.length)
    throw new IdxFileError({ file: labName, field: 'labels', problem: `label ${maxLabel} but only ${classNames.length} class names were given` });
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
