import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@hotplug/runtime';
import { cacheDir, readFramedFile, writeFramedFile } from '../cache';
import type { CaptionCorpus } from '../corpus';
import type { LoadOptions } from '../load';
import { SCENE_DEFAULTS, type SceneConfig } from './scene';
import { sceneWorld, checkFormat, type ImageFormat } from './world';

/**
 * A named training corpus of train-split scenes: which stream (seed) and how many scenes.
 * The two corpora read disjoint streams, and no downstream task reads the train split at all.
 */
export interface SceneCorpusSpec {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly size: number;
}

/** For contrastive pretraining of the old/new CLIP pair: 60,000 scenes of stream 1001. */
export const PRETRAINING_CORPUS: SceneCorpusSpec = {
  name: 'scenes-pretrain',
  description: 'contrastive pretraining: train-split scenes of stream 1001, one varied caption each',
  seed: 1001,
  size: 60000,
};

/** For task-agnostic TaCA adapter training: 20,000 scenes of stream 2002 (never seen in pretraining). */
export const ADAPTER_CORPUS: SceneCorpusSpec = {
  name: 'scenes-adapter',
  description: 'TaCA adapter training: train-split scenes of stream 2002, one varied caption each',
  seed: 2002,
  size: 20000,
};

export interface SceneCorpusOptions {
  /** Number of scenes (default: the spec's size). */
  size?: number;
  /** Pixel format the model takes (default 64x64 RGB, the canvas). Today's embedded models take { size: 28, channels: 1 }. */
  format?: ImageFormat;
  config?: Partial<SceneConfig>;
  /** Keep and reuse a binary cache (default true). */
  cache?: boolean;
  cacheDir?: string;
  load?: LoadOptions;
  /** Progress bar on stderr (default: for 10,000 scenes or more when not cached). */
  progress?: boolean;
  warn?: (message: string) => void;
}

/** A scene corpus: a CaptionCorpus (images + captions, no labels) whose pair i is scene i of the stream. */
export interface SceneCorpus extends CaptionCorpus {
  readonly corpus: string;
  readonly seed: number;
}

// Cache file: magic, uint32 LE header length, JSON header (with the captions), image bytes.
const MAGIC = 'HPSCOR01';
// Bump when the generator changes what a (seed, index) renders to, so old caches are not reused.
export const SCENE_GENERATOR_VERSION = 1;

interface Header {
  key: string;
  size: number;
  height: number;
  width: number;
  channels: number;
  captions: string[];
  payloadSha256: string;
}

function readCache(path: string, key: string): { header: Header; images: Uint8Array } {
  const { header, payload } = readFramedFile<Header>(
    path,
    MAGIC,
    'hotplug scene corpus cache',
    (h) => h.size * h.height * h.width * h.channels,
    (h) => {
      if (h.key !== key) throw new Error(`${path}: built for another configuration`);
      if (!Array.isArray(h.captions) || h.captions.length !== h.size)
        throw new Error(`${path}: ${h.size} scenes but ${h.captions?.length} captions; the cache file is corrupt`);
    },
  );
  return { header, images: new Uint8Array(payload) };
}

function writeCache(path: string, header: Header, images: Uint8Array): void {
  writeFramedFile(path, MAGIC, header, [images]);
}

/** Builds (or reads from the cache) the corpus `spec` in the given pixel format. */
export function sceneCorpus(spec: SceneCorpusSpec, options: SceneCorpusOptions = {}): SceneCorpus {
  const size = options.size ?? spec.size;
  const config = { ...SCENE_DEFAULTS, ...options.config };
  const format = options.format ?? { size: config.canvas, channels: 3 as const };
  checkFormat(format);
  if (!Number.isInteger(size) || size < 1) throw new Error(`scene corpus size must be a positive integer, got ${size}`);
  const world = sceneWorld('train', { config, load: options.load });
  const key = sha256(JSON.stringify({ v: SCENE_GENERATOR_VERSION, name: spec.name, seed: spec.seed, size, format, config, objects: world.bank.sourceId }));
  const path = join(
    options.cacheDir ?? options.load?.cacheDir ?? cacheDir(),
    `${spec.name}-${size}-${format.size}x${format.channels}-${key.slice(0, 16)}.hpsc`,
  );
  const make = (images: Uint8Array, captions: readonly string[], height: number): SceneCorpus => ({
    size,
    height,
    width: height,
    channels: format.channels,
    images,
    captions,
    sourceNames: [spec.name],
    source: new Uint8Array(size),
    sourceIndex: Int32Array.from({ length: size }, (_, i) => i),
    split: 'train',
    corpus: spec.name,
    seed: spec.seed,
  });
  const useCache = options.cache !== false;
  if (useCache && existsSync(path)) {
    try {
      const { header, images } = readCache(path, key);
      return make(images, header.captions, header.height);
    } catch (err) {
      (options.warn ?? console.warn)(`@hotplug/data: rebuilding scene corpus cache: ${(err as Error).message}`);
    }
  }
  const set = world.set({ seed: spec.seed, size, format, progress: options.progress, label: spec.name });
  if (useCache)
    writeCache(
      path,
      { key, size, height: set.height, width: set.width, channels: set.channels, captions: [...set.captions], payloadSha256: sha256(set.images) },
      set.images,
    );
  return make(set.images, set.captions, set.height);
}

/** The pretraining corpus (PRETRAINING_CORPUS). */
export function pretrainingCorpus(options: SceneCorpusOptions = {}): SceneCorpus {
  return sceneCorpus(PRETRAINING_CORPUS, options);
}

/** The TaCA adapter corpus (ADAPTER_CORPUS). */
export function adapterCorpus(options: SceneCorpusOptions = {}): SceneCorpus {
  return sceneCorpus(ADAPTER_CORPUS, options);
}
