import { buildTokenizer, type Tokenizer } from '@hotplug/backbones';
import { buildCaptionCorpus, classPrompts, type CaptionCorpus } from '@hotplug/data';

/** The datasets the embedded pair is pretrained and evaluated on. */
export const EMBEDDED_DATASETS = ['fashion-mnist', 'mnist'] as const;
export const CONTEXT_LENGTH = 16;

export interface PreparedCorpus {
  corpus: CaptionCorpus;
  tokenizer: Tokenizer;
  /** Every caption tokenised once: [size * contextLength]. */
  tokenIds: Int32Array;
}

/**
 * The caption corpus (train splits only) and the tokenizer both models share. The
 * tokenizer is trained on the captions and the hand-written zero-shot prompts, so every
 * prompt an evaluation uses is in its vocabulary.
 */
export function prepareCorpus(options: { seed?: number; maxPerDataset?: number } = {}): PreparedCorpus {
  const corpus = buildCaptionCorpus({ datasets: [...EMBEDDED_DATASETS], seed: options.seed ?? 0, maxPerDataset: options.maxPerDataset });
  const prompts = EMBEDDED_DATASETS.flatMap((d) => classPrompts(d).prompts.flat());
  const tokenizer = buildTokenizer([...corpus.captions, ...prompts], { contextLength: CONTEXT_LENGTH, vocabSize: 1024 });
  const tokenIds = new Int32Array(corpus.size * CONTEXT_LENGTH);
  corpus.captions.forEach((c, i) => tokenIds.set(tokenizer.encode(c), i * CONTEXT_LENGTH));
  return { corpus, tokenizer, tokenIds };
}
