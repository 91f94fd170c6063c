import { ProgressBar, Rng } from '@hotplug/runtime';
import type { LoadOptions } from '../load';
import { resizeBytes } from '../readers/resize';
import { objectBank, type ObjectBank, type SceneSplit } from './bank';
import { captionScene, type CaptionDetail } from './caption';
import { renderScene } from './render';
import { sampleScene, sceneSeed, SCENE_DEFAULTS, type Scene, type SceneConfig, type SceneConstraints } from './scene';

/** The pixel format a model takes: square side and 1 (gray) or 3 (RGB) channels. */
export interface ImageFormat {
  readonly size: number;
  readonly channels: 1 | 3;
}

/** Images of one size, row-major HWC bytes, image after image. */
export interface ImageBatch {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly images: Uint8Array;
}

/** One scene with its canvas and a caption. */
export interface SceneSample {
  readonly scene: Scene;
  /** canvas*canvas*3 RGB bytes. */
  readonly image: Uint8Array;
  readonly caption: string;
}

/** A fixed-size set of consecutive scenes of one stream, rendered in `format`. */
export interface SceneSet extends ImageBatch {
  readonly split: SceneSplit;
  readonly seed: number;
  readonly scenes: readonly Scene[];
  readonly captions: readonly string[];
}

export interface SceneSetOptions {
  seed: number;
  size: number;
  /** First index of the stream (default 0). */
  start?: number;
  /** Pixel format of the set (default the canvas itself, RGB). */
  format?: ImageFormat;
  detail?: CaptionDetail;
  /** Constraints per scene index, for tasks. */
  constraints?: (index: number) => SceneConstraints;
  /** Show a progress bar (rate, ETA) on stderr; default: when size >= 10,000 (about two seconds). */
  progress?: boolean;
  label?: string;
}

// Rec. 601 luma in 16.16 fixed point: the usual RGB -> gray weights.
const LUMA = [19595, 38470, 7471] as const;

/** Converts RGB canvases to `format` (gray by Rec. 601 luma, then the package's antialiased resize). */
export function convertImage(rgb: Uint8Array, side: number, format: ImageFormat): Uint8Array {
  let src = rgb;
  if (format.channels === 1) {
    src = new Uint8Array(side * side);
    for (let i = 0, p = 0; i < src.length; i++, p += 3) src[i] = (LUMA[0] * rgb[p]! + LUMA[1] * rgb[p + 1]! + LUMA[2] * rgb[p + 2]! + 32768) >>> 16;
  }
  return format.size === side ? (src === rgb ? rgb.slice() : src) : resizeBytes(src, side, side, format.channels, format.size, format.size);
}

export function checkFormat(format: ImageFormat): void {
  if (!Number.isInteger(format.size) || format.size < 4 || format.size > 1024)
    throw new Error(`image format size must be an integer 4-1024, got ${format.size}`);
  if (format.channels !== 1 && format.channels !== 3) throw new Error(`image format channels must be 1 or 3, got ${format.channels}`);
}

/**
 * Scenes over one split's objects. `scene(seed, i)`, `caption` and `sample` are pure functions
 * of (seed, i): any index of any stream can be drawn without the ones before it.
 */
export class SceneWorld {
  readonly config: SceneConfig;

  constructor(
    readonly bank: ObjectBank,
    config: Partial<SceneConfig> = {},
  ) {
    this.config = { ...SCENE_DEFAULTS, ...config };
  }

  get split(): SceneSplit {
    return this.bank.split;
  }

  scene(seed: number, index: number, constraints?: SceneConstraints): Scene {
    return sampleScene(this.bank, seed, index, this.config, constraints);
  }

  render(scene: Scene, out?: Uint8Array): Uint8Array {
    return renderScene(this.bank, scene, this.config, out);
  }

  /** Caption `k` of a scene (k = 0, 1, ... give independent captions of the same scene). */
  caption(scene: Scene, detail: CaptionDetail = 'varied', k = 0): string {
    return captionScene(scene, new Rng((sceneSeed(scene.seed, scene.index) ^ Math.imul(k + 1, 0x5bd1e995)) >>> 0), detail);
  }

  sample(seed: number, index: number, detail: CaptionDetail = 'varied'): SceneSample {
    const scene = this.scene(seed, index);
    return { scene, image: this.render(scene), caption: this.caption(scene, detail) };
  }

  /** The endless stream of scenes `seed`, from index `start`. */
  *stream(seed: number, start = 0): Generator<SceneSample> {
    for (let i = start; ; i++) yield this.sample(seed, i);
  }

  /** Scenes start..start+size-1 of stream `seed`, rendered and captioned. */
  set(options: SceneSetOptions): SceneSet {
    const { seed, size } = options;
    const start = options.start ?? 0;
    if (!Number.isInteger(size) || size < 0) throw new Error(`scene set size must be a non-negative integer, got ${size}`);
    const canvas = this.config.canvas;
    const format = options.format ?? { size: canvas, channels: 3 };
    checkFormat(format);
    const per = format.size * format.size * format.channels;
    const images = new Uint8Array(size * per);
    const scenes: Scene[] = new Array(size);
    const captions: string[] = new Array(size);
    const native = format.size === canvas && format.channels === 3;
    const scratch = new Uint8Array(canvas * canvas * 3);
    const bar = (options.progress ?? size >= 10000) ? new ProgressBar({ total: size, label: options.label ?? `scenes (${this.split})`, unit: 'scene' }) : null;
    for (let i = 0; i < size; i++) {
      const scene = this.scene(seed, start + i, options.constraints?.(start + i));
      scenes[i] = scene;
      captions[i] = this.caption(scene, options.detail);
      if (native) this.render(scene, images.subarray(i * per, (i + 1) * per));
      else images.set(convertImage(this.render(scene, scratch), canvas, format), i * per);
      if (bar && (i & 1023) === 1023) bar.tick(1024);
    }
    bar?.tick(size % 1024);
    bar?.finish();
    return { split: this.split, seed, size, height: format.size, width: format.size, channels: format.channels, images, scenes, captions };
  }
}

/** The scene world of `split`: objects from the train splits (training) or the test splits (held out). */
export function sceneWorld(split: SceneSplit, options: { config?: Partial<SceneConfig>; load?: LoadOptions } = {}): SceneWorld {
  return new SceneWorld(objectBank(split, options.load), options.config);
}
