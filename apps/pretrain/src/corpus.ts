import { buildTokenizer, type Tokenizer } from '@hotplug/backbones';
import { buildCaptionCorpus, classPrompts, getTask, listTasks, pretrainingCorpus, type CaptionCorpus, type ImageFormat } from '@hotplug/data';

/** The datasets the embedded pair is pretrained and evaluated on. */
export const EMBEDDED_DATASETS = ['fashion-mnist', 'mnist'] as const;
export const CONTEXT_LENGTH = 16;
/** The embedded models' input: 28x28 grayscale. */
export const EMBEDDED_FORMAT: ImageFormat = { size: 28, channels: 1 };

/**
 * Which corpus trains the pair: 'scenes' (default) is @hotplug/data's pretraining corpus of
 * captioned train-split scenes; 'labels' is the per-label caption corpus the shipped pair was
 * trained on (buildCaptionCorpus), kept to reproduce it.
 */
export type CorpusName = 'scenes' | 'labels';

export interface PreparedCorpus {
  corpus: CaptionCorpus;
  tokenizer: Tokenizer;
  /** Every caption tokenised once: [size * contextLength]. */
  tokenIds: Int32Array;
}

export interface PrepareOptions {
  corpus?: CorpusName;
  /** Scene corpus: number of scenes (default: the pretraining corpus's 60,000). */
  size?: number;
  /** Scene corpus: the models' input format (default EMBEDDED_FORMAT). */
  format?: ImageFormat;
  /** Labels corpus: seed and images per dataset. */
  seed?: number;
  maxPerDataset?: number;
}

/**
 * The caption corpus (train splits only) and the tokenizer both models share. The tokenizer
 * is trained on the captions and the hand-written prompts of every downstream task, so every
 * prompt an evaluation uses is in its vocabulary.
 */
export function prepareCorpus(options: PrepareOptions = {}): PreparedCorpus {
  const corpus = options.corpus === 'labels'
    ? buildCaptionCorpus({ datasets: [...EMBEDDED_DATASETS], seed: options.seed ?? 0, maxPerDataset: options.maxPerDataset })
    : pretrainingCorpus({ size: options.size, format: options.format ?? EMBEDDED_FORMAT });
  const prompts = options.corpus === 'labels'
    ? EMBEDDED_DATASETS.flatMap((d) => classPrompts(d).prompts.flat())
    : listTasks().flatMap((n) => { const t = getTask(n); return t.classNames.flatMap((c) => t.templates.map((tpl) => tpl.replaceAll('{}', c))); });
  const tokenizer = buildTokenizer([...corpus.captions, ...prompts], { contextLength: CONTEXT_LENGTH, vocabSize: 1024 });
  const tokenIds = new Int32Array(corpus.size * CONTEXT_LENGTH);
  corpus.captions.forEach((c, i) => tokenIds.set(tokenizer.encode(c), i * CONTEXT_LENGTH));
  return { corpus, tokenizer, tokenIds };
}
