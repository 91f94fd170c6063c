import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadClip, type Clip, type Tokenizer } from '@hotplug/backbones';
import { embeddedModelDir } from '@hotplug/models';

/** A model folder loaded for prompt learning: the model, its tokenizer, and a short id for reports. */
export interface LoadedModel {
  id: string;
  dir: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** The embedded pair's folders (what --old / --new default to). */
export function defaultModelDirs(): { old: string; new: string } {
  return { old: embeddedModelDir('old'), new: embeddedModelDir('new') };
}

/** Loads a model folder written by saveClip (model.safetensors + config.json + tokenizer.json). */
export function loadModelFolder(id: string, dir: string): LoadedModel {
  const path = resolve(dir);
  if (!existsSync(join(path, 'config.json')))
    throw new Error(`model "${id}": ${path} has no config.json; pass a folder written by saveClip (model.safetensors, config.json, tokenizer.json)${path.includes(join('models', 'weights')) ? ', or train the embedded pair with apps/pretrain' : ''}`);
  const { clip, tokenizer } = loadClip(path);
  if (!tokenizer) throw new Error(`model "${id}": ${path} has no tokenizer.json; prompt learners need the model's tokenizer`);
  return { id, dir: path, clip, tokenizer };
}
