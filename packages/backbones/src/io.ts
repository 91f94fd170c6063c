import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '@hotplug/runtime';
import { resolveConfig, type ClipConfig } from './config';
import { TokenizerFileError } from './errors';
import { detectModelFolder } from './folders/detect';
import type { ModelFolderKindName } from './folders/kind';
import { createClip, type Clip } from './model/clip';
import { loadTokenizer, type Tokenizer } from './tokenizer/tokenizer';
import { loadWeights, saveWeights } from './weights/load';

import { CONFIG_FILE, MODEL_FILE, OPEN_CLIP_CONFIG_FILE, TOKENIZER_FILE } from './folders/names';

export { MODEL_FILE, CONFIG_FILE, TOKENIZER_FILE };

/** Saves a model folder: model.safetensors + config.json (+ tokenizer.json). Each file is written atomically. */
export function saveClip(clip: Clip, dir: string, tokenizer?: Tokenizer): void {
  if (tokenizer) checkTokenizerFits(clip.config, tokenizer);
  saveWeights(clip, join(dir, MODEL_FILE));
  if (tokenizer) tokenizer.save(join(dir, TOKENIZER_FILE));
  writeJsonAtomic(join(dir, CONFIG_FILE), clip.config);
}

/** What loadClip accepts beyond the folder. */
export interface LoadClipOptions {
  /** Load weights holding NaN or Infinity (default false). */
  allowNonFinite?: boolean;
}

/** A loaded model folder: the model, its tokenizer when the folder has tokenizer.json, and which kind of folder it was. */
export interface LoadedClip {
  clip: Clip;
  tokenizer?: Tokenizer;
  /** 'hotplug' (saveClip), 'hf' (Hugging Face transformers) or 'open_clip'. */
  kind: ModelFolderKindName;
  /** The files read. */
  files: { config: string; weights: string; tokenizer?: string };
}

/**
 * Loads a model folder of any kind detectModelFolder knows: a hotplug folder (saveClip), a
 * Hugging Face CLIP folder (config.json, model.safetensors, preprocessor_config.json,
 * tokenizer.json) or an open_clip folder (open_clip_config.json + safetensors). The configs
 * are checked (schema and size limits) and the tokenizer read before the model is built, the
 * weights before any is assigned. A folder of no known kind throws ModelFolderError saying,
 * per kind, what is missing.
 */
export function loadClip(dir: string, options: LoadClipOptions = {}): LoadedClip {
  const plan = detectModelFolder(dir);
  let config = plan.config;
  const tokenizer = plan.tokenizerFile ? loadTokenizer(plan.tokenizerFile, { contextLength: config.text.contextLength }) : undefined;
  if (tokenizer && plan.fitTokenizer) config = plan.fitTokenizer(config, tokenizer);
  if (tokenizer) checkTokenizerFits(config, tokenizer, plan.tokenizerFile);
  const clip = createClip(config, { init: 'none' }); // every weight is loaded below
  try {
    loadWeights(clip, plan.weightsFile, { layout: plan.layout, ...(options.allowNonFinite !== undefined ? { allowNonFinite: options.allowNonFinite } : {}) });
  } catch (err) {
    clip.dispose();
    throw err;
  }
  const configFile = plan.kind === 'open_clip' ? OPEN_CLIP_CONFIG_FILE : CONFIG_FILE;
  return {
    clip,
    ...(tokenizer ? { tokenizer } : {}),
    kind: plan.kind,
    files: { config: join(resolve(dir), configFile), weights: plan.weightsFile, ...(plan.tokenizerFile ? { tokenizer: plan.tokenizerFile } : {}) },
  };
}

/** A config whose text side matches the tokenizer (vocab size, EOT id, context length). */
export function configForTokenizer(config: ClipConfig, tokenizer: Tokenizer): ClipConfig {
  return resolveConfig({
    ...config,
    text: { ...config.text, vocabSize: tokenizer.vocabSize, eotTokenId: tokenizer.eotTokenId, contextLength: tokenizer.contextLength },
  });
}

function checkTokenizerFits(config: ClipConfig, tokenizer: Tokenizer, file = 'tokenizer'): void {
  const t = config.text;
  const bad: string[] = [];
  if (tokenizer.vocabSize > t.vocabSize) bad.push(`tokenizer vocabulary ${tokenizer.vocabSize} > text.vocabSize ${t.vocabSize}`);
  if (tokenizer.eotTokenId !== t.eotTokenId) bad.push(`tokenizer EOT id ${tokenizer.eotTokenId} != text.eotTokenId ${t.eotTokenId}`);
  if (tokenizer.contextLength !== t.contextLength) bad.push(`tokenizer context ${tokenizer.contextLength} != text.contextLength ${t.contextLength}`);
  if (bad.length)
    throw new TokenizerFileError({
      file,
      problem: `tokenizer does not match model "${config.name}": ${bad.join('; ')}`,
      fix: 'Build the config with configForTokenizer(config, tokenizer), or use the tokenizer.json that came with the weights',
    });
}
