import { buildTokenizer, configForTokenizer, createClip, resolveConfig, type Tokenizer } from '@hotplug/backbones';
import { classPrompts } from '@hotplug/data';
import type { PromptModel } from '../src/index';

const fashion = classPrompts('fashion-mnist');
const mnist = classPrompts('mnist');

let shared: Tokenizer | undefined;
/** One small tokenizer trained on the embedded datasets' prompts (what the tiny models share). */
export function testTokenizer(): Tokenizer {
  shared ??= buildTokenizer([...fashion.prompts.flat(), ...mnist.prompts.flat(), 'a photo of a', 'X X X X'], {
    contextLength: 16,
    vocabSize: 700,
    minFrequency: 1,
  });
  return shared;
}

export const FASHION = fashion;
export const MNIST = mnist;

/** A tiny randomly initialised CLIP on 28x28x1 images (seconds to train prompts on). */
export function tinyModel(seed: number, overrides: { tokenWidth?: number; textDepth?: number; embedDim?: number; visionWidth?: number } = {}): PromptModel {
  const tokenizer = testTokenizer();
  const width = overrides.tokenWidth ?? 32;
  const base = resolveConfig({
    base: 'hotplug-old',
    name: `tiny-${seed}-w${width}`,
    embedDim: overrides.embedDim ?? 16,
    vision: { width: overrides.visionWidth ?? 32, depth: 1, heads: 2 },
    text: { width, depth: overrides.textDepth ?? 1, heads: 2 },
  });
  return { clip: createClip(configForTokenizer(base, tokenizer), { seed }), tokenizer };
}
