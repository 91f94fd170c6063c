// Public API of @hotplug/models: the embedded default old/new CLIP pair.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClip, type Clip, type Tokenizer } from '@hotplug/backbones';

export const EMBEDDED_MODELS = ['old', 'new', 'new-lineage'] as const;
export type EmbeddedModelName = (typeof EMBEDDED_MODELS)[number];

/** The package folder (src/ and dist/ both sit one level below it). */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Folder holding weights/old and weights/new (where apps/pretrain writes them). */
export function embeddedWeightsRoot(): string {
  return join(packageRoot, 'weights');
}

function checkName(name: string): asserts name is EmbeddedModelName {
  if (!(EMBEDDED_MODELS as readonly string[]).includes(name))
    throw new Error(`unknown embedded model "${name}"; the embedded models are ${EMBEDDED_MODELS.join(', ')}`);
}

/** Folder of the TaCA adapters trained on the embedded pair by apps/taca, one folder per variant. */
export function embeddedAdaptersRoot(): string {
  return join(packageRoot, 'adapters');
}

/** Folder of one embedded model (model.safetensors + config.json + tokenizer.json). */
export function embeddedModelDir(name: EmbeddedModelName): string {
  checkName(name);
  return join(embeddedWeightsRoot(), name);
}

/** Loads an embedded model with its tokenizer. The caller disposes `clip`. */
export function loadEmbeddedModel(name: EmbeddedModelName): { clip: Clip; tokenizer: Tokenizer } {
  const dir = embeddedModelDir(name);
  if (!existsSync(join(dir, 'config.json')))
    throw new Error(`the embedded "${name}" model is missing from ${dir}; regenerate it with: npm run start -w @hotplug/app-pretrain -- all`);
  const { clip, tokenizer } = loadClip(dir);
  if (!tokenizer) throw new Error(`${dir} has no tokenizer.json; regenerate the embedded models with apps/pretrain`);
  return { clip, tokenizer };
}

/** The model card's figures (card.json), as written by apps/pretrain's evaluation. */
export function embeddedModelCard(): Record<string, unknown> {
  const path = join(packageRoot, 'card.json');
  if (!existsSync(path)) throw new Error(`no model card at ${path}; run: npm run start -w @hotplug/app-pretrain -- evaluate`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Path of card.json (written by apps/pretrain). */
export function embeddedModelCardPath(): string {
  return join(packageRoot, 'card.json');
}
