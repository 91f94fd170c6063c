import type { ImageDataset } from './types';

/** Bytes of one image. */
export function imageBytes(ds: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/** Checks that a dataset's arrays agree with its declared shape; throws naming what is wrong. */
export function validateDataset(ds: ImageDataset): void {
  const per = imageBytes(ds);
  const where = `dataset '${ds.name}' (${ds.split})`;
  for (const [k, v] of [
    ['height', ds.height],
    ['width', ds.width],
    ['channels', ds.channels],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${k} must be a positive integer, got ${v}`);
  }
  if (ds.images.length !== ds.size * per) {
    throw new Error(
      `${where}: images has ${ds.images.length} bytes, expected size*height*width*channels = ${ds.size}*${ds.height}*${ds.width}*${ds.channels} = ${ds.size * per}`,
    );
  }
  if (ds.labels.length !== ds.size) throw new Error(`${where}: ${ds.labels.length} labels for ${ds.size} images`);
  const k = ds.classNames.length;
  for (let i = 0; i < ds.size; i++) {
    const l = ds.labels[i]!;
    if (l < 0 || l >= k) throw new Error(`${where}: label ${l} at index ${i} is outside the ${k} class names`);
  }
  if (ds.captions && ds.captions.length !== ds.size) throw new Error(`${where}: ${ds.captions.length} captions for ${ds.size} images`);
  if (ds.paths && ds.paths.length !== ds.size) throw new Error(`${where}: ${ds.paths.length} paths for ${ds.size} images`);
}

/** A new dataset holding copies of the images at `indices`, in that order (repeats allowed). */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, split: string = ds.split): ImageDataset {
  const per = imageBytes(ds);
  const n = indices.length;
  const images = new Uint8Array(n * per);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= ds.size) {
      throw new Error(`subset of '${ds.name}' (${ds.split}): index ${j} at position ${i} is outside 0..${ds.size - 1}`);
    }
    images.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j]!;
  }
  const pick = <T>(xs: readonly T[] | undefined) => (xs ? Array.from(indices, (j) => xs[j]!) : undefined);
  const out: ImageDataset = { ...ds, split, size: n, images, labels, captions: pick(ds.captions), paths: pick(ds.paths) };
  if (!out.captions) delete (out as { captions?: unknown }).captions;
  if (!out.paths) delete (out as { paths?: unknown }).paths;
  return out;
}

/** Images per class, indexed by label. */
export function classCounts(ds: Pick<ImageDataset, 'labels' | 'classNames'>): number[] {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

/** The bytes of image `i` (a view, not a copy). */
export function imageAt(ds: ImageDataset, i: number): Uint8Array {
  const per = imageBytes(ds);
  if (!(i >= 0 && i < ds.size)) throw new Error(`image index ${i} is outside 0..${ds.size - 1} of '${ds.name}'`);
  return ds.images.subarray(i * per, (i + 1) * per);
}
