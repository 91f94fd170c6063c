import { oneVsRest, stratifiedSplit, subset, type ClassificationData, type ImageDataset, type MultiLabelData, type TaskData } from '@hotplug/data';
import { InputError } from '@hotplug/runtime';

/**
 * Which items of a downstream task each figure uses. Tasks hold test-split objects only, so a
 * linear probe needs its own train items: every classification and multi-label task is split
 * 50/50, stratified (by class; by object count for multi-label, which keeps both halves alike
 * for all classes at once) with a fixed seed. The probe trains on one half; every module is
 * scored on the other. Retrieval tasks use all their queries and the whole gallery.
 */
export const TASK_SPLIT_SEED = 0;

/** The parts of a task a system encodes: a labelled task's images, or a retrieval task's gallery and image queries. */
export type TaskPart = 'images' | 'gallery' | 'queries';

export interface TaskHalves {
  /** Items the reference model's probe trains on. */
  train: Int32Array;
  /** Items every module is scored on. */
  test: Int32Array;
}

/** The seeded 50/50 stratified split of a classification or multi-label task (undefined for retrieval). */
export function taskHalves(data: TaskData): TaskHalves | undefined {
  if (data.kind === 'classification') return halves(data.labels);
  if (data.kind === 'multi-label') return halves(objectCounts(data));
  return undefined;
}

function halves(labels: Int32Array): TaskHalves {
  const split = stratifiedSplit(labels, { testFraction: 0.5, seed: TASK_SPLIT_SEED });
  return { train: Int32Array.from(split.train), test: Int32Array.from(split.test) };
}

function objectCounts(data: MultiLabelData): Int32Array {
  return Int32Array.from(data.scenes, (s) => s.objects.length - 1);
}

/**
 * A classification task cut to at most `maxItems` items (a stratified, seeded pick, e.g.
 * Fashion-MNIST's 10,000 test canvases); other kinds and smaller tasks come back unchanged.
 */
export function cutTask(data: TaskData, maxItems: number | undefined): TaskData {
  if (maxItems === undefined || data.kind !== 'classification' || data.size <= maxItems) return data;
  if (!Number.isInteger(maxItems) || maxItems < 2) throw new InputError(`a task's item count must be a whole number >= 2, got ${maxItems}`);
  const keep = Int32Array.from(stratifiedSplit(data.labels, { testFraction: maxItems / data.size, seed: TASK_SPLIT_SEED }).test);
  const picked = subset(data, keep);
  const out: ClassificationData = {
    ...data,
    ...picked,
    kind: 'classification',
    task: data.task,
    prompts: data.prompts,
    ...(data.itemPrompts ? { itemPrompts: Array.from(keep, (i) => data.itemPrompts![i]!) } : {}),
    ...(data.scenes ? { scenes: Array.from(keep, (i) => data.scenes![i]!) } : {}),
  };
  return out;
}

const batchDataset = (name: string, b: { size: number; height: number; width: number; channels: number; images: Uint8Array }): ImageDataset => ({
  name,
  split: 'test',
  size: b.size,
  height: b.height,
  width: b.width,
  channels: b.channels,
  images: b.images,
  labels: new Int32Array(b.size),
  classNames: ['item'],
});

/** The image sets of a task as datasets an encoder reads (every item, in the task's order). */
export function taskImageSets(data: TaskData): Partial<Record<TaskPart, ImageDataset>> {
  switch (data.kind) {
    case 'classification':
      return { images: data };
    case 'multi-label':
      return { images: { ...data, labels: objectCounts(data), classNames: ['1', '2', '3', '4'] } };
    case 'image-retrieval':
      return { gallery: batchDataset(`${data.task}:gallery`, data.gallery), queries: batchDataset(`${data.task}:queries`, data.queries) };
    case 'text-retrieval':
      return { gallery: batchDataset(`${data.task}:gallery`, data.gallery) };
  }
}

/** One-vs-rest labels of class c of a multi-label task. */
export function presenceLabels(data: MultiLabelData, c: number): Int32Array {
  return oneVsRest(data, c).labels;
}
