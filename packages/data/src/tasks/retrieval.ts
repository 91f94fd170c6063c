import { hashString, Rng } from '@hotplug/runtime';
import { TEXTURES } from '../scenes/lexicon';
import { objectBoxSize, type Scene } from '../scenes/scene';
import { convertImage, sceneWorld } from '../scenes/world';
import type { DownstreamTask, ImageRetrievalData, TaskLoadOptions, TextRetrievalData } from './registry';

const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/**
 * The query for gallery scene `s`: the same composition (categories, colours, sizes, rotations,
 * box centres) drawn with other test-split instances of each category and another background
 * texture, so matching needs the content, not the pixels.
 */
function restage(world: ReturnType<typeof sceneWorld>, s: Scene): Scene {
  const rng = new Rng(hashString(`restage:${s.seed}:${s.index}`));
  const objects = s.objects.map((o) => {
    const pool = world.bank.byCategory[o.category]!;
    const objectId = pool[rng.int(pool.length)]!;
    const { w, h } = objectBoxSize(world.bank, objectId, world.config.objectSide[o.size], o.rotation);
    const cx = o.x + o.w / 2;
    const cy = o.y + o.h / 2;
    const x = Math.min(s.canvas - w, Math.max(0, Math.round(cx - w / 2)));
    const y = Math.min(s.canvas - h, Math.max(0, Math.round(cy - h / 2)));
    return { ...o, objectId, x, y, w, h };
  });
  const others = TEXTURES.filter((t) => t !== s.background.texture);
  return { ...s, objects, background: { ...s.background, texture: others[rng.int(others.length)]! } };
}

export const IMAGE_RETRIEVAL_TASK: DownstreamTask<ImageRetrievalData> = {
  name: 'scene-image-retrieval',
  description: 'image->image: each query is a held-out scene restaged (other instances, other texture); the relevant gallery image is the original',
  kind: 'image-retrieval',
  split: 'test',
  classNames: [],
  templates: [],
  load(options: TaskLoadOptions = {}): ImageRetrievalData {
    const size = options.size ?? 1000;
    const world = sceneWorld('test', { load: options.load });
    const gallery = world.set({
      seed: hashString('task:scene-image-retrieval'),
      size,
      format: options.format,
      progress: options.progress,
      label: 'retrieval gallery',
    });
    const canvas = world.config.canvas;
    const format = options.format ?? { size: canvas, channels: 3 };
    const per = format.size * format.size * format.channels;
    const images = new Uint8Array(size * per);
    const queryScenes = gallery.scenes.map((s) => restage(world, s));
    queryScenes.forEach((s, i) => {
      images.set(convertImage(world.render(s), canvas, format), i * per);
    });
    return {
      kind: 'image-retrieval',
      task: 'scene-image-retrieval',
      gallery: { size, height: gallery.height, width: gallery.width, channels: gallery.channels, images: gallery.images },
      queries: { size, height: gallery.height, width: gallery.width, channels: gallery.channels, images },
      targets: identity(size),
      galleryScenes: gallery.scenes,
      queryScenes,
    };
  },
};

export const TEXT_RETRIEVAL_TASK: DownstreamTask<TextRetrievalData> = {
  name: 'scene-text-retrieval',
  description: "text->image: each query is a full caption (every object's colour and category, the background) of one held-out scene",
  kind: 'text-retrieval',
  split: 'test',
  classNames: [],
  templates: [],
  load(options: TaskLoadOptions = {}): TextRetrievalData {
    const size = options.size ?? 1000;
    const gallery = sceneWorld('test', { load: options.load }).set({
      seed: hashString('task:scene-text-retrieval'),
      size,
      format: options.format,
      detail: 'full',
      progress: options.progress,
      label: 'retrieval gallery',
    });
    return {
      kind: 'text-retrieval',
      task: 'scene-text-retrieval',
      gallery: { size, height: gallery.height, width: gallery.width, channels: gallery.channels, images: gallery.images },
      queries: gallery.captions,
      targets: identity(size),
      galleryScenes: gallery.scenes,
    };
  },
};
