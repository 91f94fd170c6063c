import { join } from 'node:path';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, saveClip } from '@hotplug/backbones';
import { adapterCorpus, buildCaptionCorpus, classPrompts } from '@hotplug/data';

/**
 * Writes a tiny randomly initialised old/new pair (28x28x1 input, as the embedded pair) with
 * a shared tokenizer into dir/old and dir/new. Random weights make figures meaningless but
 * exercise every path of the app in seconds.
 */
export function writeTinyPair(dir: string, options: { newEmbed?: number } = {}): { oldDir: string; newDir: string } {
  const corpus = buildCaptionCorpus({ seed: 0, maxPerDataset: 100 });
  const scenes = adapterCorpus({ size: 200, format: { size: 28, channels: 1 } });
  const texts = [...corpus.captions, ...scenes.captions, ...classPrompts('fashion-mnist').prompts.flat(), ...classPrompts('mnist').prompts.flat()];
  const tokenizer = buildTokenizer(texts, { contextLength: 16, minFrequency: 1 });
  const text = { width: 16, depth: 1, heads: 2 };
  const old = createClip(
    configForTokenizer(resolveConfig({ base: 'hotplug-old', name: 'tiny-old', embedDim: 16, vision: { width: 16, depth: 1, heads: 2 }, text }), tokenizer),
    { seed: 1 },
  );
  const next = createClip(
    configForTokenizer(
      resolveConfig({ base: 'hotplug-new', name: 'tiny-new', embedDim: options.newEmbed ?? 16, vision: { patchSize: 7, width: 24, depth: 2, heads: 2 }, text }),
      tokenizer,
    ),
    { seed: 2 },
  );
  const oldDir = join(dir, 'old');
  const newDir = join(dir, 'new');
  saveClip(old, oldDir, tokenizer);
  saveClip(next, newDir, tokenizer);
  old.dispose();
  next.dispose();
  return { oldDir, newDir };
}
