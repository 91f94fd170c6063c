import { basename } from 'node:path';
import { resolveConfig, type ClipConfig } from '../config';
import { ModelConfigError } from '../errors';
import { clipConfigFromOpenClip } from '../external-configs';
import { isObject, weightsProblem, type FolderFiles } from './files';
import type { ModelFolderKind } from './kind';
import { MODEL_FILE, OPEN_CLIP_CONFIG_FILE, OPEN_CLIP_MODEL_FILE, OPEN_CLIP_PICKLE_FILE, TOKENIZER_FILE } from './names';

// An open_clip folder as open_clip.push_to_hf_hub writes it: open_clip_config.json holds
// { model_cfg, preprocess_cfg }; the weights are a pickle plus, on newer uploads, safetensors.
const CONFIG = OPEN_CLIP_CONFIG_FILE;
const WEIGHTS = [OPEN_CLIP_MODEL_FILE, MODEL_FILE];
const PICKLE = OPEN_CLIP_PICKLE_FILE;
const TOKENIZER = TOKENIZER_FILE;

const CONVERT = `python -c "import torch, safetensors.torch as st; sd = torch.load('${PICKLE}', map_location='cpu', weights_only=True); st.save_file({k: v.contiguous() for k, v in sd.items()}, '${OPEN_CLIP_MODEL_FILE}')"`;

function fail(files: FolderFiles, problem: string, field?: string): never {
  throw new ModelConfigError({ file: files.path(CONFIG), problem, ...(field ? { field } : {}), fix: `Use the ${CONFIG} that came with the weights` });
}

/** The first weights file with open_clip names, if any. */
function weightsFile(files: FolderFiles): string | undefined {
  return WEIGHTS.find((name) => !weightsProblem(files, name, 'open_clip'));
}

/** model_cfg of an open_clip_config.json, or the file itself when it is a bare model config (open_clip's model_configs/*.json). */
function modelCfg(json: Record<string, unknown>): Record<string, unknown> | undefined {
  const cfg = isObject(json.model_cfg) ? json.model_cfg : json;
  return isObject(cfg.vision_cfg) && isObject(cfg.text_cfg) ? cfg : undefined;
}

function size(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 2 && v[0] === v[1] && typeof v[0] === 'number') return v[0];
  return undefined;
}

export const openClipFolder: ModelFolderKind = {
  name: 'open_clip',
  label: 'open_clip folder',
  expects: `${CONFIG} (model_cfg: embed_dim, vision_cfg, text_cfg; preprocess_cfg: mean, std), ${WEIGHTS.join(' or ')} (open_clip weight names), ${TOKENIZER} (optional)`,
  check(files) {
    const found: string[] = [];
    const missing: string[] = [];
    const config = files.readJson(CONFIG);
    if (config.state === 'absent') missing.push(`${CONFIG} is missing`);
    else if (config.state === 'bad') missing.push(`${CONFIG} is ${config.reason}`);
    else if (modelCfg(config.json)) found.push(CONFIG);
    else missing.push(`${CONFIG} has no model_cfg with vision_cfg and text_cfg`);
    const weights = weightsFile(files);
    if (weights) found.push(weights);
    else if (WEIGHTS.every((w) => !files.has(w)) && files.has(PICKLE))
      missing.push(
        `${WEIGHTS[0]} is missing and only ${PICKLE} is there: that is a PyTorch pickle, which is not read (unpickling can run code). Convert it once, in the folder: ${CONVERT}`,
      );
    else missing.push(WEIGHTS.map((w) => weightsProblem(files, w, 'open_clip')).join('; '));
    return { found, missing };
  },
  plan(files) {
    const config = files.readJson(CONFIG);
    const cfg = config.state === 'ok' ? modelCfg(config.json) : undefined;
    const weights = weightsFile(files);
    if (!cfg || !weights || config.state !== 'ok') throw new Error('openClipFolder.plan called on a folder that failed its check');
    const text = cfg.text_cfg as Record<string, unknown>;
    // Towers open_clip builds from other libraries have no weights under open_clip's names.
    for (const key of ['hf_model_name', 'hf_tokenizer_name'] as const)
      if (text[key] !== undefined)
        fail(
          files,
          `text_cfg.${key} "${String(text[key])}": a text tower from Hugging Face transformers is not supported (only open_clip's own transformer)`,
          `model_cfg.text_cfg.${key}`,
        );
    const vision = { ...(cfg.vision_cfg as Record<string, unknown>) };
    if (vision.timm_model_name !== undefined)
      fail(
        files,
        `vision_cfg.timm_model_name "${String(vision.timm_model_name)}": timm image towers are not supported (only open_clip's own ViT)`,
        'model_cfg.vision_cfg.timm_model_name',
      );
    const imageSize = size(vision.image_size);
    if (imageSize === undefined)
      fail(files, `vision_cfg.image_size must be a number (or a square [h, w]), got ${JSON.stringify(vision.image_size)}`, 'model_cfg.vision_cfg.image_size');
    vision.image_size = imageSize;
    let base: ClipConfig;
    try {
      base = clipConfigFromOpenClip({ ...cfg, vision_cfg: vision }, basename(files.dir) || 'open-clip');
    } catch (err) {
      if (err instanceof ModelConfigError) fail(files, err.problem, err.field);
      throw err;
    }
    // preprocess_cfg holds the model's own statistics; without it open_clip itself uses OpenAI's (clipConfigFromOpenClip's default).
    const pre = isObject(config.json.preprocess_cfg) ? config.json.preprocess_cfg : {};
    const channels = base.vision.channels;
    const stat = (key: 'mean' | 'std', fallback: number[]) => {
      const v = pre[key];
      if (v === undefined) return fallback;
      if (!Array.isArray(v) || v.length !== channels || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
        fail(files, `preprocess_cfg.${key} must be ${channels} numbers (one per channel), got ${JSON.stringify(v)}`, `preprocess_cfg.${key}`);
      return v as number[];
    };
    if (pre.size !== undefined && size(pre.size) !== imageSize)
      fail(
        files,
        `preprocess_cfg.size ${JSON.stringify(pre.size)} does not match vision_cfg.image_size ${imageSize} (the position embeddings are sized for ${imageSize})`,
        'preprocess_cfg.size',
      );
    return {
      kind: 'open_clip',
      config: resolveConfig(
        { ...base, vision: { ...base.vision, mean: stat('mean', base.vision.mean), std: stat('std', base.vision.std) } },
        files.path(CONFIG),
      ),
      weightsFile: files.path(weights),
      layout: 'open_clip',
      ...(files.has(TOKENIZER) ? { tokenizerFile: files.path(TOKENIZER) } : {}),
    };
  },
};
