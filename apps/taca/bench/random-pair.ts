// Writes randomly initialised models of the embedded pair's shapes (hotplug-old / hotplug-new,
// embedding 64) to DIR/old and DIR/new, to time the app before trained weights exist:
//   vite-node bench/random-pair.ts -- DIR
import { join } from 'node:path';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, saveClip } from '@hotplug/backbones';
import { buildCaptionCorpus, classPrompts } from '@hotplug/data';
import { initBackend } from '@hotplug/kernels';

const dir = process.argv[2];
if (!dir) throw new Error('usage: vite-node bench/random-pair.ts -- DIR');
await initBackend();
const corpus = buildCaptionCorpus({ seed: 0, maxPerDataset: 2000 });
const tokenizer = buildTokenizer([...corpus.captions, ...classPrompts('fashion-mnist').prompts.flat(), ...classPrompts('mnist').prompts.flat()], {
  contextLength: 16,
});
for (const [role, base] of [
  ['old', 'hotplug-old'],
  ['new', 'hotplug-new'],
] as const) {
  const clip = createClip(configForTokenizer(resolveConfig({ base, name: `random-${role}`, embedDim: 64 }), tokenizer), { seed: role });
  saveClip(clip, join(dir, role), tokenizer);
  clip.dispose();
}
console.log(`random pair written to ${dir}/old and ${dir}/new`);
