import { basename } from 'node:path';
import { resolveConfig, type ClipConfig } from '../config';
import { ModelConfigError } from '../errors';
import { clipConfigFromHf } from '../external-configs';
import { isObject, weightsProblem, type FolderFiles } from './files';
import type { ModelFolderKind } from './kind';
import { CONFIG_FILE, HF_PICKLE_FILE, MODEL_FILE, PREPROCESSOR_FILE, TOKENIZER_FILE } from './names';

// A Hugging Face transformers CLIPModel folder (save_pretrained, or a hub snapshot).
const CONFIG = CONFIG_FILE;
const WEIGHTS = MODEL_FILE;
const PREPROCESSOR = PREPROCESSOR_FILE;
const TOKENIZER = TOKENIZER_FILE;
const PICKLE = HF_PICKLE_FILE;

function fail(files: FolderFiles, file: string, problem: string, field?: string): never {
  throw new ModelConfigError({ file: files.path(file), problem, ...(field ? { field } : {}), fix: `Use the ${file} that came with the weights` });
}

/** A side length from crop_size / size: a number, { height, width } (square) or { shortest_edge }. */
function side(files: FolderFiles, v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (isObject(v)) {
    if (typeof v.height === 'number' && typeof v.width === 'number') {
      if (v.height !== v.width) fail(files, PREPROCESSOR, `${field} is ${v.height}x${v.width}; the image encoder takes square images`, field);
      return v.height;
    }
    if (typeof v.shortest_edge === 'number') return v.shortest_edge;
  }
  fail(files, PREPROCESSOR, `${field} must be a number, { height, width } or { shortest_edge }, got ${JSON.stringify(v)}`, field);
}

function stats(files: FolderFiles, v: unknown, field: string, channels: number): number[] {
  if (!Array.isArray(v) || v.length !== channels || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
    fail(files, PREPROCESSOR, `${field} must be ${channels} numbers (one per channel), got ${JSON.stringify(v)}`, field);
  return v as number[];
}

/**
 * The model's input statistics from preprocessor_config.json, in this package's convention
 * (images in 0..1, then (x - mean) / std). Hugging Face rescales bytes by rescale_factor
 * (1/255 as a rule) before normalising, so a different factor is folded into mean and std
 * rather than ignored: (b·r - m) / s = (b/255 - m/(255r)) / (s/(255r)).
 */
function preprocessing(files: FolderFiles, pre: Record<string, unknown>, config: ClipConfig): Pick<ClipConfig['vision'], 'mean' | 'std' | 'imageSize'> {
  const channels = config.vision.channels;
  const normalise = pre.do_normalize !== false;
  const mean = normalise ? stats(files, pre.image_mean, 'image_mean', channels) : new Array<number>(channels).fill(0);
  const std = normalise ? stats(files, pre.image_std, 'image_std', channels) : new Array<number>(channels).fill(1);
  const rescale = pre.do_rescale === false ? 1 : (pre.rescale_factor ?? 1 / 255);
  if (typeof rescale !== 'number' || !(rescale > 0))
    fail(files, PREPROCESSOR, `rescale_factor must be a positive number, got ${JSON.stringify(rescale)}`, 'rescale_factor');
  const k = 255 * rescale;
  const crop = pre.do_center_crop === false ? undefined : side(files, pre.crop_size, 'crop_size');
  const input = crop ?? side(files, pre.size, 'size');
  const imageSize = config.vision.imageSize;
  // The position embeddings fix the input size; a preprocessor that says otherwise is a mismatch, not a preference.
  if (input !== undefined && input !== imageSize)
    fail(
      files,
      PREPROCESSOR,
      `${crop !== undefined ? 'crop_size' : 'size'} ${input} does not match vision_config.image_size ${imageSize} in ${CONFIG} (the position embeddings are sized for ${imageSize})`,
      crop !== undefined ? 'crop_size' : 'size',
    );
  return { mean: mean.map((m) => m / k), std: std.map((s) => s / k), imageSize };
}

export const hfFolder: ModelFolderKind = {
  name: 'hf',
  label: 'Hugging Face CLIP folder',
  expects: `${CONFIG} (CLIPConfig: vision_config, text_config, projection_dim), ${WEIGHTS} (Hugging Face weight names), ${PREPROCESSOR} (image_mean, image_std, crop_size), ${TOKENIZER} (optional)`,
  check(files) {
    const found: string[] = [];
    const missing: string[] = [];
    const config = files.readJson(CONFIG);
    if (config.state === 'absent') missing.push(`${CONFIG} is missing`);
    else if (config.state === 'bad') missing.push(`${CONFIG} is ${config.reason}`);
    else if (isObject(config.json.vision_config) && isObject(config.json.text_config)) found.push(CONFIG);
    else missing.push(`${CONFIG} is not a Hugging Face CLIP config (no vision_config and text_config)`);
    const weights = weightsProblem(files, WEIGHTS, 'hf');
    if (!weights) found.push(WEIGHTS);
    else if (!files.has(WEIGHTS) && files.has(`${WEIGHTS}.index.json`))
      missing.push(
        `${WEIGHTS} is missing; the weights are sharded (${WEIGHTS}.index.json), which is not read. Save them as one file: CLIPModel.from_pretrained('DIR').save_pretrained('DIR', max_shard_size='100GB')`,
      );
    else if (!files.has(WEIGHTS) && files.has(PICKLE))
      missing.push(
        `${WEIGHTS} is missing; ${PICKLE} is a PyTorch pickle, which is not read (unpickling can run code). Convert it once: python -c "from transformers import CLIPModel; CLIPModel.from_pretrained('DIR').save_pretrained('DIR', safe_serialization=True)"`,
      );
    else missing.push(weights);
    const pre = files.readJson(PREPROCESSOR);
    if (pre.state === 'ok') found.push(PREPROCESSOR);
    else
      missing.push(
        pre.state === 'absent' ? `${PREPROCESSOR} is missing (the model's image mean, std and size are read from it)` : `${PREPROCESSOR} is ${pre.reason}`,
      );
    return { found, missing };
  },
  plan(files) {
    const config = files.readJson(CONFIG);
    const pre = files.readJson(PREPROCESSOR);
    if (config.state !== 'ok' || pre.state !== 'ok') throw new Error('hfFolder.plan called on a folder that failed its check');
    const rawEos = (config.json.text_config as Record<string, unknown>).eos_token_id;
    let base: ClipConfig;
    try {
      base = clipConfigFromHf(config.json, basename(files.dir) || 'hf-clip');
    } catch (err) {
      if (err instanceof ModelConfigError) fail(files, CONFIG, err.problem, err.field);
      throw err;
    }
    const vision = { ...base.vision, ...preprocessing(files, pre.json, base) };
    return {
      kind: 'hf',
      config: resolveConfig({ ...base, vision }, files.path(CONFIG)),
      weightsFile: files.path(WEIGHTS),
      layout: 'hf',
      ...(files.has(TOKENIZER) ? { tokenizerFile: files.path(TOKENIZER) } : {}),
      // clipConfigFromHf reads the legacy eos_token_id 2 as "the last id" (CLIP's vocabulary);
      // a tokenizer.json that really ends texts with id 2 settles it the other way.
      fitTokenizer: (c, tokenizer) =>
        rawEos === tokenizer.eotTokenId && c.text.eotTokenId !== rawEos
          ? resolveConfig({ ...c, text: { ...c.text, eotTokenId: rawEos } }, files.path(CONFIG))
          : c,
    };
  },
};
