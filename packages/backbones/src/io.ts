import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@hotplug/runtime';
import { resolveConfig, type ClipConfig } from './config';
import { ModelConfigError } from './errors';
import { createClip, type Clip } from './model/clip';
import { loadTokenizer, type Tokenizer } from './tokenizer/tokenizer';
import { loadWeights, saveWeights } from './weights/load';

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';

/** Saves a model folder: model.safetensors + config.json (+ tokenizer.json). Each file is written atomically. */
export function saveClip(clip: Clip, dir: string, tokenizer?: Tokenizer): void {
  if (tokenizer) checkTokenizerFits(clip.config, tokenizer);
  saveWeights(clip, join(dir, MODEL_FILE));
  if (tokenizer) tokenizer.save(join(dir, TOKENIZER_FILE));
  writeJsonAtomic(join(dir, CONFIG_FILE), clip.config);
}

/** A config.json is a few hundred bytes; anything far larger is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** What loadClip accepts beyond the folder. */
export interface LoadClipOptions {
  /** Load weights holding NaN or Infinity (default false). */
  allowNonFinite?: boolean;
}

/**
 * Loads a folder written by saveClip; `tokenizer` is present when the folder has tokenizer.json.
 * config.json is checked (schema and size limits) before the model is built, the weights
 * before any is assigned.
 */
export function loadClip(dir: string, options: LoadClipOptions = {}): { clip: Clip; tokenizer?: Tokenizer } {
  const configPath = join(dir, CONFIG_FILE);
  if (!existsSync(configPath))
    throw new ModelConfigError({ file: dir, problem: `is not a model folder: ${CONFIG_FILE} is missing (expected ${MODEL_FILE} + ${CONFIG_FILE})`, fix: 'Save the model with saveClip' });
  let json: unknown;
  try {
    const size = statSync(configPath).size;
    if (size > MAX_CONFIG_BYTES) throw new Error(`${size} bytes is far more than a config.json (limit ${MAX_CONFIG_BYTES})`);
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ModelConfigError({ file: configPath, problem: `not a readable JSON config: ${(err as Error).message}`, fix: 'Save the model again with saveClip' });
  }
  const config = resolveConfig(json as ClipConfig, configPath);
  const clip = createClip(config, { init: 'none' }); // every weight is loaded below
  try {
    loadWeights(clip, join(dir, MODEL_FILE), { layout: 'hotplug', ...(options.allowNonFinite !== undefined ? { allowNonFinite: options.allowNonFinite } : {}) });
    const tokPath = join(dir, TOKENIZER_FILE);
    const tokenizer = existsSync(tokPath) ? loadTokenizer(tokPath, { contextLength: config.text.contextLength }) : undefined;
    if (tokenizer) checkTokenizerFits(config, tokenizer);
    return { clip, tokenizer };
  } catch (err) {
    clip.dispose();
    throw err;
  }
}

/** A config whose text side matches the tokenizer (vocab size, EOT id, context length). */
export function configForTokenizer(config: ClipConfig, tokenizer: Tokenizer): ClipConfig {
  return resolveConfig({ ...config, text: { ...config.text, vocabSize: tokenizer.vocabSize, eotTokenId: tokenizer.eotTokenId, contextLength: tokenizer.contextLength } });
}

function checkTokenizerFits(config: ClipConfig, tokenizer: Tokenizer): void {
  const t = config.text;
  const bad: string[] = [];
  if (tokenizer.vocabSize > t.vocabSize) bad.push(`tokenizer vocabulary ${tokenizer.vocabSize} > text.vocabSize ${t.vocabSize}`);
  if (tokenizer.eotTokenId !== t.eotTokenId) bad.push(`tokenizer EOT id ${tokenizer.eotTokenId} != text.eotTokenId ${t.eotTokenId}`);
  if (tokenizer.contextLength !== t.contextLength) bad.push(`tokenizer context ${tokenizer.contextLength} != text.contextLength ${t.contextLength}`);
  if (bad.length) throw new Error(`tokenizer does not match model "${config.name}": ${bad.join('; ')}. Build the config with configForTokenizer(config, tokenizer).`);
}
