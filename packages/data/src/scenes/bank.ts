import { sha256 } from '@hotplug/runtime';
import { getDataset } from '../embedded/registry';
import { loadDataset, type LoadOptions } from '../load';
import type { ImageDataset } from '../types';
import { SCENE_SOURCES } from './lexicon';

/** Which half of the world: objects cut from the datasets' train splits, or their test splits (held out). */
export type SceneSplit = 'train' | 'test';

/**
 * The objects scenes are made of: every 28x28 bitmap of one split of Fashion-MNIST and MNIST,
 * with its category (0-19) and the box around its ink, so rendering can crop and rescale
 * without scanning pixels per scene.
 */
export interface ObjectBank {
  readonly split: SceneSplit;
  readonly size: number;
  /** The source datasets' image bytes, one array per entry of SCENE_SOURCES. */
  readonly sourceImages: readonly Uint8Array[];
  /** Per object: index into SCENE_SOURCES, index of the image in its split, category. */
  readonly source: Uint8Array;
  readonly sourceIndex: Int32Array;
  readonly category: Uint8Array;
  /** Per object, the ink box in the 28x28 bitmap: top, left, height, width. */
  readonly inkBox: Uint8Array;
  /** Per object, its ink level (see inkBoxOf): rendering divides ink by it, so every object reaches its full colour. */
  readonly level: Uint8Array;
  /** Object ids of each category. */
  readonly byCategory: readonly Int32Array[];
  /** Train-split images left out because a byte-identical image is in a test split. */
  readonly droppedDuplicates: number;
  /** Identifies the source bytes (part of every cache key built from this bank). */
  readonly sourceId: string;
}

export const OBJECT_SIDE = 28;
const PIXELS = OBJECT_SIDE * OBJECT_SIDE;
// Pixels at or below this are background in the datasets (both are zero-padded scans).
const INK_THRESHOLD = 16;
// Bitmaps with less ink than this would render as an invisible object; none is expected, they are skipped.
const MIN_PEAK = 64;

// FNV-1a over a bitmap's bytes: a fast bucket key; equal keys are confirmed byte by byte.
function fnv(px: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i]!, 0x01000193);
  return h >>> 0;
}

/** The images of `ds`, bucketed by hash, to ask "is this bitmap in that split?" without sha256 per image. */
function indexBitmaps(ds: ImageDataset): (px: Uint8Array) => boolean {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < ds.size; i++) {
    const h = fnv(ds.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    const b = buckets.get(h);
    if (b) b.push(i);
    else buckets.set(h, [i]);
  }
  return (px) => {
    const b = buckets.get(fnv(px));
    if (!b) return false;
    return b.some((i) => {
      for (let k = 0; k < PIXELS; k++) if (ds.images[i * PIXELS + k] !== px[k]) return false;
      return true;
    });
  };
}

// Scratch histogram of inkBoxOf (one call at a time: JavaScript is single-threaded here).
const HISTOGRAM = new Uint16Array(256);

/**
 * The box around a 28x28 bitmap's ink (height 0 when it has none), its brightest pixel, and its
 * ink level: the 75th percentile of its ink pixels, where rendering reaches the full colour (so
 * a quarter of every object shows its exact named colour, however its scan is shaded).
 */
export function inkBoxOf(px: Uint8Array): { top: number; left: number; height: number; width: number; peak: number; level: number } {
  let top = OBJECT_SIDE,
    left = OBJECT_SIDE,
    bottom = -1,
    right = -1,
    peak = 0,
    inked = 0;
  const histogram = HISTOGRAM.fill(0);
  for (let y = 0; y < OBJECT_SIDE; y++) {
    for (let x = 0; x < OBJECT_SIDE; x++) {
      const v = px[y * OBJECT_SIDE + x]!;
      if (v > peak) peak = v;
      if (v > INK_THRESHOLD) {
        histogram[v]!++;
        inked++;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return { top: 0, left: 0, height: 0, width: 0, peak, level: peak };
  let level = 255;
  for (let v = 255, above = 0; v > INK_THRESHOLD; v--) {
    above += histogram[v]!;
    if (above >= inked / 4) {
      level = v;
      break;
    }
  }
  return { top, left, height: bottom - top + 1, width: right - left + 1, peak, level };
}

const banks = new Map<string, ObjectBank>();

/**
 * The object bank of one split (built once per process and split). The train bank leaves out
 * any image whose bytes also occur in a test split, so held-out scenes share no object with training.
 */
export function objectBank(split: SceneSplit, load?: LoadOptions): ObjectBank {
  const key = `${split}:${load?.cacheDir ?? ''}`;
  const known = banks.get(key);
  if (known) return known;
  const datasets = SCENE_SOURCES.map((name) => loadDataset(name, split, load));
  for (const ds of datasets) {
    if (ds.height !== OBJECT_SIDE || ds.width !== OBJECT_SIDE || ds.channels !== 1) {
      throw new Error(`scene objects must be 28x28 grayscale; '${ds.name}' (${ds.split}) is ${ds.height}x${ds.width}x${ds.channels}`);
    }
  }
  const inTest = split === 'train' ? SCENE_SOURCES.map((name) => indexBitmaps(loadDataset(name, 'test', load))) : [];
  const source: number[] = [];
  const sourceIndex: number[] = [];
  const category: number[] = [];
  const inkBox: number[] = [];
  const level: number[] = [];
  let dropped = 0;
  datasets.forEach((ds, s) => {
    for (let i = 0; i < ds.size; i++) {
      const px = ds.images.subarray(i * PIXELS, (i + 1) * PIXELS);
      if (inTest.some((has) => has(px))) {
        dropped++;
        continue;
      }
      const box = inkBoxOf(px);
      if (box.peak < MIN_PEAK || box.height === 0) continue;
      source.push(s);
      sourceIndex.push(i);
      category.push(s * 10 + ds.labels[i]!);
      inkBox.push(box.top, box.left, box.height, box.width);
      level.push(box.level);
    }
  });
  const cat = Uint8Array.from(category);
  const lists: number[][] = Array.from({ length: 20 }, () => []);
  cat.forEach((c, i) => {
    lists[c]!.push(i);
  });
  const byCategory = lists.map((l) => Int32Array.from(l));
  for (let c = 0; c < 20; c++) if (byCategory[c]!.length === 0) throw new Error(`scene object bank (${split}) has no object of category ${c}`);
  const bank: ObjectBank = {
    split,
    size: cat.length,
    sourceImages: datasets.map((d) => d.images),
    source: Uint8Array.from(source),
    sourceIndex: Int32Array.from(sourceIndex),
    category: cat,
    inkBox: Uint8Array.from(inkBox),
    level: Uint8Array.from(level),
    byCategory,
    droppedDuplicates: dropped,
    sourceId: sha256(
      SCENE_SOURCES.map((n) => `${n}:${getDataset(n).sourceId(split)}${split === 'train' ? `:${getDataset(n).sourceId('test')}` : ''}`).join('|'),
    ),
  };
  banks.set(key, bank);
  return bank;
}

/** The 28x28 bitmap of object `id` (a view into the source dataset). */
export function objectBitmap(bank: ObjectBank, id: number): Uint8Array {
  const images = bank.sourceImages[bank.source[id]!]!;
  const i = bank.sourceIndex[id]!;
  return images.subarray(i * PIXELS, (i + 1) * PIXELS);
}
