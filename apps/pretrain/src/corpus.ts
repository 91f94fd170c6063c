import { buildTokenizer, type Tokenizer } from '@hotplug/backbones';
import { buildCaptionCorpus, classPrompts, getTask, listTasks, pretrainingCorpus, type CaptionCorpus, type ImageFormat } from '@hotplug/data';

/** The datasets the embedded pair is pretrained and evaluated on. */
export const EMBEDDED_DATASETS = ['fashion-mnist', 'mnist'] as const;
/** Text context of the embedded models: scene captions are 20 tokens at the median, 36 at the 90th percentile. */
export const CONTEXT_LENGTH = 32;
/** BPE vocabulary: large enough that most of the scene grammar's ~350 words are one token. */
export const VOCAB_SIZE = 1536;
/** The embedded models' input: 32x32 RGB (colour is part of the scenes' captions and tasks). */
export const EMBEDDED_FORMAT: ImageFormat = { size: 32, channels: 3 };

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
  const corpus =
    options.corpus === 'labels'
      ? buildCaptionCorpus({ datasets: [...EMBEDDED_DATASETS], seed: options.seed ?? 0, maxPerDataset: options.maxPerDataset })
      : pretrainingCorpus({ size: options.size, format: options.format ?? EMBEDDED_FORMAT });
  const prompts =
    options.corpus === 'labels'
      ? EMBEDDED_DATASETS.flatMap((d) => classPrompts(d).prompts.flat())
      : listTasks().flatMap((n) => {
          const t = getTask(n);
          return t.classNames.flatMap((c) => t.templates.map((tpl) => tpl.replaceAll('{}', c)));
        });
  const labels = options.corpus === 'labels';
  const contextLength = labels ? 16 : CONTEXT_LENGTH;
  const tokenizer = buildTokenizer([...corpus.captions, ...prompts], { contextLength, vocabSize: labels ? 1024 : VOCAB_SIZE });
  const tokenIds = new Int32Array(corpus.size * contextLength);
  corpus.captions.forEach((c, i) => {
    tokenIds.set(tokenizer.encode(c), i * contextLength);
  });
  return { corpus, tokenizer, tokenIds };
}
