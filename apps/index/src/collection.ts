import { loadDataset, type ImageDataset } from '@hotplug/data';
import { UsageError } from './errors';

/** One slice of a registered dataset split. */
export interface CollectionSource {
  dataset: string;
  split: 'train' | 'test';
  /** First image of the split taken (default 0). */
  start?: number;
  /** Images taken (default: the rest of the split). */
  count?: number;
}

/**
 * A collection of items as data, so a worker process can rebuild any shard of it from the job
 * alone: every image of every source, once per augmentation, in that order.
 */
export interface CollectionSpec {
  sources: CollectionSource[];
  /** Variants of each image (default ['none']); more make a larger gallery from the same test images. */
  augment?: AugmentName[];
}

/**
 * Byte-level augmentations of a 1-channel or multi-channel HWC image: the held-out test sets are
 * small (10k + 2k), so flips and shifts turn them into a gallery of 50k+ distinct vectors.
 */
const AUGMENTATIONS = {
  none: (x: number, y: number) => [x, y],
  hflip: (x: number, y: number, w: number) => [w - 1 - x, y],
  'shift-right': (x: number, y: number) => [x - 2, y],
  'shift-left': (x: number, y: number) => [x + 2, y],
  'shift-down': (x: number, y: number) => [x, y - 2],
  'shift-up': (x: number, y: number) => [x, y + 2],
} satisfies Record<string, (x: number, y: number, w: number, h: number) => number[]>;

export type AugmentName = keyof typeof AUGMENTATIONS;
export const AUGMENT_NAMES = Object.keys(AUGMENTATIONS) as AugmentName[];

/** One item of a collection: where it comes from, and its stable id. */
export interface ItemRef {
  id: string;
  dataset: string;
  split: string;
  index: number;
  augment: AugmentName;
  label: number;
}

/** Parses `dataset:split[:start[:count]]` (e.g. `fashion-mnist:test:0:500`). */
export function parseSource(text: string): CollectionSource {
  const [dataset, split, start, count, ...rest] = text.split(':');
  if (!dataset || (split !== 'train' && split !== 'test') || rest.length)
    throw new UsageError(`--source "${text}" must be dataset:split[:start[:count]] with split train or test, e.g. fashion-mnist:test:0:500`);
  const int = (v: string | undefined, what: string, min: number) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--source "${text}": ${what} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  const out: CollectionSource = { dataset, split };
  const s = int(start, 'start', 0);
  const c = int(count, 'count', 1);
  if (s !== undefined) out.start = s;
  if (c !== undefined) out.count = c;
  return out;
}

export function parseAugment(text: string): AugmentName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(AUGMENT_NAMES as string[]).includes(n));
  if (bad.length || names.length === 0)
    throw new UsageError(
      `--augment "${text}": unknown augmentation ${bad.map((b) => `"${b}"`).join(', ') || '(none given)'}; known: ${AUGMENT_NAMES.join(', ')}`,
    );
  if (new Set(names).size !== names.length) throw new UsageError(`--augment "${text}" names an augmentation twice`);
  return names as AugmentName[];
}

interface ResolvedSource {
  source: CollectionSource;
  data: ImageDataset;
  start: number;
  count: number;
  /** Label offset, so classes of different datasets never count as the same class. */
  labelOffset: number;
}

/** A collection opened on its datasets: its size, item refs, and the images of any range of items. */
export class Collection {
  readonly size: number;
  readonly augment: AugmentName[];
  private readonly parts: ResolvedSource[];

  constructor(readonly spec: CollectionSpec) {
    if (!spec.sources?.length) throw new UsageError('a collection needs at least one source (--source dataset:split[:start[:count]])');
    this.augment = spec.augment?.length ? spec.augment : ['none'];
    let offset = 0;
    let total = 0;
    const labelOffsets = new Map<string, number>();
    this.parts = spec.sources.map((source) => {
      const data = loadDataset(source.dataset, source.split);
      const start = source.start ?? 0;
      const count = source.count ?? data.size - start;
      if (start + count > data.size || count <= 0)
        throw new UsageError(`source ${source.dataset}:${source.split} has ${data.size} images; start ${start} + count ${count} does not fit`);
      if (!labelOffsets.has(source.dataset)) {
        labelOffsets.set(source.dataset, offset);
        offset += data.classNames.length;
      }
      total += count * this.augment.length;
      return { source, data, start, count, labelOffset: labelOffsets.get(source.dataset)! };
    });
    this.size = total;
    const first = this.parts[0]!.data;
    for (const p of this.parts)
      if (p.data.height !== first.height || p.data.width !== first.width || p.data.channels !== first.channels)
        throw new UsageError(
          `sources of one collection must share an image size: ${first.name} is ${first.height}x${first.width}x${first.channels}, ${p.data.name} is ${p.data.height}x${p.data.width}x${p.data.channels}`,
        );
  }

  get height(): number {
    return this.parts[0]!.data.height;
  }
  get width(): number {
    return this.parts[0]!.data.width;
  }
  get channels(): number {
    return this.parts[0]!.data.channels;
  }

  /** The item at position i (sources in order, each image once per augmentation). */
  item(i: number): ItemRef {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new UsageError(`item ${i} is outside the collection (0..${this.size - 1})`);
    let at = i;
    for (const p of this.parts) {
      const n = p.count * this.augment.length;
      if (at < n) {
        const image = p.start + Math.floor(at / this.augment.length);
        const augment = this.augment[at % this.augment.length]!;
        const { dataset, split } = p.source;
        return {
          id: `${dataset}/${split}/${image}${augment === 'none' ? '' : `#${augment}`}`,
          dataset,
          split,
          index: image,
          augment,
          label: p.data.labels[image]! + p.labelOffset,
        };
      }
      at -= n;
    }
    throw new Error('unreachable: item position checked above');
  }

  /** Items [start, end): refs and an image stack (uint8 HWC) ready for embedImageBytes. */
  slice(start: number, end: number): { items: ItemRef[]; images: ImageStack } {
    if (!(start >= 0 && end <= this.size && start <= end)) throw new UsageError(`range ${start}..${end} is outside the collection (size ${this.size})`);
    return this.pick(Array.from({ length: end - start }, (_, i) => start + i));
  }

  /** The items at the given positions, in that order. */
  pick(positions: ArrayLike<number>): { items: ItemRef[]; images: ImageStack } {
    const { height: h, width: w, channels: c } = this;
    const per = h * w * c;
    const out = new Uint8Array(positions.length * per);
    const items: ItemRef[] = [];
    for (let i = 0; i < positions.length; i++) {
      const ref = this.item(positions[i]!);
      items.push(ref);
      const src = this.parts.find(
        (p) => p.source.dataset === ref.dataset && p.source.split === ref.split && ref.index >= p.start && ref.index < p.start + p.count,
      )!;
      augmentInto(src.data.images.subarray(ref.index * per, (ref.index + 1) * per), out.subarray(i * per, (i + 1) * per), ref.augment, w, h, c);
    }
    return { items, images: { size: positions.length, height: h, width: w, channels: c, images: out } };
  }
}

/** A stack of uint8 HWC images (what @hotplug/backbones' embedImageBytes takes). */
export interface ImageStack {
  size: number;
  height: number;
  width: number;
  channels: number;
  images: Uint8Array;
}

/** Writes the augmented image: each output pixel reads its source pixel (outside the image: 0). */
function augmentInto(src: Uint8Array, dst: Uint8Array, augment: AugmentName, w: number, h: number, c: number): void {
  const from = AUGMENTATIONS[augment];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [sx, sy] = from(x, y, w) as [number, number];
      const inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
      for (let k = 0; k < c; k++) dst[(y * w + x) * c + k] = inside ? src[(sy * w + sx) * c + k]! : 0;
    }
}

/** Contiguous shards of `size` items, `shardSize` each (the last may be shorter). */
export function planShards(size: number, shardSize: number): { shard: number; start: number; end: number }[] {
  if (!Number.isInteger(shardSize) || shardSize <= 0) throw new UsageError(`--shard-size must be a positive integer, got ${shardSize}`);
  const out = [];
  for (let start = 0, shard = 0; start < size; start += shardSize, shard++) out.push({ shard, start, end: Math.min(size, start + shardSize) });
  return out;
}
