import type { LoadOptions } from '../load';
import type { ClassPrompts } from '../prompts';
import type { ImageDataset } from '../types';
import type { ImageBatch, ImageFormat } from '../scenes/world';
import type { Scene } from '../scenes/scene';

/**
 * What a downstream task asks of a model:
 * - classification: one label per image (heads, zero-shot, prompt learners);
 * - multi-label: a 0/1 target per class per image, scored one-vs-rest per class;
 * - image-retrieval / text-retrieval: each query has one relevant gallery image.
 */
export type TaskKind = 'classification' | 'multi-label' | 'image-retrieval' | 'text-retrieval';

export interface TaskLoadOptions {
  /** Pixel format to deliver (default the 64x64 RGB canvas). Today's embedded models take { size: 28, channels: 1 }. */
  format?: ImageFormat;
  /** Items of a scene task (each task has its default); ignored by the dataset tasks, which are whole test splits. */
  size?: number;
  /** Passed to loadDataset. */
  load?: LoadOptions;
  /** Progress bar on stderr (default: for 5,000 canvases or more, i.e. Fashion-MNIST's test split; 10,000 scenes or more). */
  progress?: boolean;
}

/** A classification task's data: an ImageDataset (so every head reads it) plus its prompts. */
export interface ClassificationData extends ImageDataset {
  readonly kind: 'classification';
  readonly task: string;
  readonly prompts: ClassPrompts;
  /** Per-item prompts when the classes depend on the image (relation: "a shirt to the left of a 7"): itemPrompts[i][c]. */
  readonly itemPrompts?: readonly (readonly string[])[];
  /** The ground truth of each item (scene tasks). */
  readonly scenes?: readonly Scene[];
}

export interface MultiLabelData extends ImageBatch {
  readonly kind: 'multi-label';
  readonly task: string;
  readonly name: string;
  readonly split: 'test';
  readonly classNames: readonly string[];
  /** size * classNames.length bytes: targets[i * K + c] = 1 when class c is in image i. */
  readonly targets: Uint8Array;
  readonly prompts: ClassPrompts;
  readonly scenes: readonly Scene[];
}

export interface ImageRetrievalData {
  readonly kind: 'image-retrieval';
  readonly task: string;
  readonly gallery: ImageBatch;
  readonly queries: ImageBatch;
  /** targets[q] = the gallery index relevant to query q. */
  readonly targets: Int32Array;
  readonly galleryScenes: readonly Scene[];
  readonly queryScenes: readonly Scene[];
}

export interface TextRetrievalData {
  readonly kind: 'text-retrieval';
  readonly task: string;
  readonly gallery: ImageBatch;
  readonly queries: readonly string[];
  readonly targets: Int32Array;
  readonly galleryScenes: readonly Scene[];
}

export type TaskData = ClassificationData | MultiLabelData | ImageRetrievalData | TextRetrievalData;

/** One downstream task: never part of a training corpus; always built from test-split objects. */
export interface DownstreamTask<D extends TaskData = TaskData> {
  readonly name: string;
  readonly description: string;
  readonly kind: D['kind'];
  /** Always 'test': the objects come from the datasets' test splits. */
  readonly split: 'test';
  /** Class names (empty for retrieval). */
  readonly classNames: readonly string[];
  /** Hand-written prompt templates with `{}` for the class name (empty for retrieval). */
  readonly templates: readonly string[];
  load(options?: TaskLoadOptions): D;
}

const registry = new Map<string, DownstreamTask>();

/** Adds a task under its name; a second task of the same name throws. */
export function registerTask(task: DownstreamTask): void {
  if (registry.has(task.name)) throw new Error(`task '${task.name}' is already registered`);
  registry.set(task.name, task);
}

/** The registered task called `name`; the error lists the known names. */
export function getTask(name: string): DownstreamTask {
  const task = registry.get(name);
  if (!task) throw new Error(`unknown task '${name}'; known: ${[...registry.keys()].join(', ')}`);
  return task;
}

/** Names of every registered task. */
export function listTasks(): string[] {
  return [...registry.keys()];
}

/** Loads task `name`'s data. */
export function loadTask(name: string, options?: TaskLoadOptions): TaskData {
  return getTask(name).load(options);
}

/** A one-vs-rest view of class `c` of a multi-label task: labels 0 = absent, 1 = present. */
export function oneVsRest(data: MultiLabelData, c: number): ImageDataset {
  const k = data.classNames.length;
  if (!(Number.isInteger(c) && c >= 0 && c < k)) throw new Error(`oneVsRest: class ${c} is outside 0..${k - 1} of task '${data.task}'`);
  const labels = new Int32Array(data.size);
  for (let i = 0; i < data.size; i++) labels[i] = data.targets[i * k + c]!;
  return {
    name: `${data.name}:${data.classNames[c]}`,
    split: 'test',
    size: data.size,
    height: data.height,
    width: data.width,
    channels: data.channels,
    images: data.images,
    labels,
    classNames: [`no ${data.classNames[c]}`, data.classNames[c]!],
  };
}
