import { join, resolve } from 'node:path';
import { loadClip, ModelFolderError, type Clip, type LoadedClip, type Tokenizer } from '@hotplug/backbones';
import { embeddedModelDir } from '@hotplug/models';

/** A model folder loaded for prompt learning: the model, its tokenizer, and a short id for reports. */
export interface LoadedModel {
  id: string;
  dir: string;
  /** The weights file read (its hash identifies the model in reports). */
  weights: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** The embedded pair's folders (what --old / --new default to). */
export function defaultModelDirs(): { old: string; new: string } {
  return { old: embeddedModelDir('old'), new: embeddedModelDir('new') };
}

/** Loads a model folder of any kind loadClip reads (hotplug, Hugging Face, open_clip); it must have tokenizer.json. */
export function loadModelFolder(id: string, dir: string): LoadedModel {
  const path = resolve(dir);
  let loaded: LoadedClip;
  try {
    loaded = loadClip(path);
  } catch (err) {
    if (!(err instanceof ModelFolderError)) throw err;
    const hint = path.includes(join('models', 'weights')) ? ', or train the embedded pair with apps/pretrain' : '';
    throw new ModelFolderError({ file: `model "${id}"`, problem: `${err.file} ${err.problem}`, fix: `${err.fix ?? ''}${hint}` }, err.kinds);
  }
  const { clip, tokenizer } = loaded;
  if (!tokenizer) {
    clip.dispose();
    throw new Error(`model "${id}": ${path} has no tokenizer.json; prompt learners need the model's tokenizer`);
  }
  return { id, dir: path, weights: loaded.files.weights, clip, tokenizer };
}
