import { readFileSync, statSync } from 'node:fs';
import { ProgressBar } from '@hotplug/runtime';
import type { ImageDataset, OnBadImage, SkippedImage } from '../types';
import { ImageDecodeError, InvalidFileError } from '../errors';
import { decodeImage, DEFAULT_IMAGE_LIMITS, rgbaToChannels, type ImageLimits } from './decode';
import { fitBytes, type FitMode } from './resize';

/** One image a reader found: where it is, its label, and its caption if the source has one. */
export interface ImageIndexEntry {
  readonly path: string;
  readonly label: number;
  readonly caption?: string;
}

/**
 * What a reader found, before any pixel is decoded. Cheap to build even for ImageNet, so
 * few-shot sampling can pick from `labels` and decode only what it keeps.
 */
export interface ImageIndex {
  readonly name: string;
  readonly split: string;
  readonly classNames: readonly string[];
  readonly entries: readonly ImageIndexEntry[];
}

/** The labels of an index, for few-shot sampling and class counts before decoding. */
export function indexLabels(index: ImageIndex): Int32Array {
  return Int32Array.from(index.entries, (e) => e.label);
}

/** A new index with only the entries at `indices`. */
export function subsetIndex(index: ImageIndex, indices: ArrayLike<number>): ImageIndex {
  return {
    ...index,
    entries: Array.from(indices, (i) => {
      const e = index.entries[i];
      if (!e) throw new Error(`index ${i} is outside the ${index.entries.length} entries of '${index.name}'`);
      return e;
    }),
  };
}

export interface DecodeOptions {
  /** Output size [height, width]. Default: the first image's size, and every image must match it. */
  size?: readonly [number, number];
  /** 1 (grayscale, luma) or 3 (RGB). Default 3. */
  channels?: 1 | 3;
  /** How images are brought to `size` (default 'stretch'). */
  fit?: FitMode;
  /** A corrupt or unreadable image: 'fail' throws naming it (default); 'skip' leaves it out and reports it. */
  onBadImage?: OnBadImage;
  /** Called once per skipped image (default: a console.warn line with the path and reason). */
  warn?: (message: string) => void;
  /** Show a progress bar on stderr. */
  progress?: boolean;
  /** Bounds on each image's declared size and file size, checked before decoding (DEFAULT_IMAGE_LIMITS). */
  limits?: ImageLimits;
}

function readImage(path: string, limits: ImageLimits) {
  const maxBytes = limits.maxFileBytes ?? DEFAULT_IMAGE_LIMITS.maxFileBytes;
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) throw new ImageDecodeError({ file: path, problem: `is ${size} bytes, above maxFileBytes ${maxBytes}` });
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError({ file: path, problem: `cannot read: ${(err as Error).message}` });
  }
  return decodeImage(bytes, { limits, file: path });
}

/** A decoded dataset and the images left out of it, each with its path and reason. */
export interface DecodedImages {
  readonly dataset: ImageDataset;
  readonly skipped: readonly SkippedImage[];
}

/** Reads and decodes every entry of an index into an in-memory dataset. */
export function decodeIndex(index: ImageIndex, options: DecodeOptions = {}): DecodedImages {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`channels must be 1 or 3, got ${channels}`);
  const onBad = options.onBadImage ?? 'fail';
  if (onBad !== 'fail' && onBad !== 'skip') throw new Error(`onBadImage must be 'fail' or 'skip', got '${onBad}'`);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  let size = options.size;
  const kept: ImageIndexEntry[] = [];
  const pixels: Uint8Array[] = [];
  const skipped: SkippedImage[] = [];
  const bar = options.progress ? new ProgressBar({ total: index.entries.length, label: `decode ${index.name}`, unit: 'img' }) : undefined;
  for (const entry of index.entries) {
    bar?.tick();
    let decoded: ReturnType<typeof readImage>;
    try {
      decoded = readImage(entry.path, options.limits ?? {});
    } catch (err) {
      const reason = err instanceof InvalidFileError ? `${err.field ? `${err.field}: ` : ''}${err.problem}` : (err as Error).message;
      if (onBad === 'fail')
        throw new ImageDecodeError({
          file: entry.path,
          problem: `cannot decode: ${reason}`,
          fix: "Pass onBadImage: 'skip' to leave such images out and get them reported",
        });
      skipped.push({ path: entry.path, reason });
      warn(`@hotplug/data: skipped ${entry.path}: ${reason}`);
      continue;
    }
    size ??= [decoded.height, decoded.width];
    const [h, w] = size;
    if (!options.size && (decoded.height !== h || decoded.width !== w)) {
      throw new ImageDecodeError({
        file: entry.path,
        problem: `${entry.path} is ${decoded.height}x${decoded.width} but earlier images are ${h}x${w}`,
        fix: 'Pass size: [height, width] to resize every image',
      });
    }
    pixels.push(fitBytes(rgbaToChannels(decoded, channels), decoded.height, decoded.width, channels, h, w, options.fit ?? 'stretch'));
    kept.push(entry);
  }
  bar?.finish();
  const [h, w] = size ?? [1, 1];
  const per = h * w * channels;
  const images = new Uint8Array(kept.length * per);
  pixels.forEach((p, i) => {
    images.set(p, i * per);
  });
  const hasCaptions = kept.some((e) => e.caption !== undefined);
  const dataset: ImageDataset = {
    name: index.name,
    split: index.split,
    size: kept.length,
    height: h,
    width: w,
    channels,
    images,
    labels: Int32Array.from(kept, (e) => e.label),
    classNames: index.classNames,
    paths: kept.map((e) => e.path),
    ...(hasCaptions ? { captions: kept.map((e) => e.caption ?? '') } : {}),
  };
  return { dataset, skipped };
}
