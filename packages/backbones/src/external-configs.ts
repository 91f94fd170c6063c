import { z } from 'zod';
import { resolveConfig, type Activation, type ClipConfig } from './config';
import { ModelConfigError } from './errors';

// Config files that come with published weights, turned into a ClipConfig so the graph
// matches the checkpoint without looking the shapes up by hand.

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

const Section = z.looseObject({});
const HfSchema = z.looseObject({ vision_config: Section, text_config: Section });
const OpenClipSchema = z.looseObject({ vision_cfg: Section, text_cfg: Section });

function fail(source: string, problem: string, field?: string): never {
  throw new ModelConfigError({ file: source, problem, ...(field ? { field } : {}), fix: 'Use the config.json that came with the weights' });
}

// Sizes come from the file; the bounds themselves are enforced by validateConfig on the result.
function num(obj: Record<string, unknown>, key: string, where: string, fallback?: number, source = 'config'): number {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, `${where}.${key} is missing or not a number`, `${where}.${key}`);
  return v;
}

function ratio(hidden: number, width: number, where: string): number {
  const r = hidden / width;
  if (!Number.isInteger(r))
    fail(
      'Hugging Face config',
      `${where}: intermediate_size ${hidden} is not a whole multiple of hidden_size ${width}, which this package's mlpRatio needs`,
      `${where}.intermediate_size`,
    );
  return r;
}

function hfActivation(v: unknown, where: string): Activation {
  if (v === 'quick_gelu') return 'quickgelu';
  if (v === 'gelu') return 'gelu';
  fail('Hugging Face config', `${where}.hidden_act "${String(v)}" is not supported (quick_gelu or gelu)`, `${where}.hidden_act`);
}

/**
 * A Hugging Face CLIPModel config.json (`vision_config`, `text_config`, `projection_dim`). A field
 * left out takes transformers' CLIPConfig default (recent save_pretrained writes only the fields
 * that differ from those).
 */
export function clipConfigFromHf(json: Record<string, unknown>, name = 'hf-clip'): ClipConfig {
  if (!HfSchema.safeParse(json).success) fail('Hugging Face config', 'not a Hugging Face CLIP config: vision_config and text_config are required (objects)');
  const v = json.vision_config as Record<string, unknown>;
  const t = json.text_config as Record<string, unknown>;
  const vWidth = num(v, 'hidden_size', 'vision_config', 768);
  const tWidth = num(t, 'hidden_size', 'text_config', 512);
  const vocab = num(t, 'vocab_size', 'text_config', 49408);
  // Early HF configs carry eos_token_id 2 while the CLIP vocabulary ends with <|endoftext|>;
  // transformers then pools at the largest id, which is the last vocabulary entry.
  const eos = typeof t.eos_token_id === 'number' && t.eos_token_id !== 2 ? t.eos_token_id : vocab - 1;
  const channels = num(v, 'num_channels', 'vision_config', 3);
  // Sized only for a plausible count; validateConfig reports any other value.
  const perChannel = Number.isInteger(channels) && channels > 0 && channels <= 16 ? channels : 0;
  return resolveConfig({
    name,
    embedDim: num(json, 'projection_dim', 'config', 512),
    layerNormEpsilon: num(v, 'layer_norm_eps', 'vision_config', 1e-5),
    logitScaleInit: num(json, 'logit_scale_init_value', 'config', Math.log(1 / 0.07)),
    vision: {
      imageSize: num(v, 'image_size', 'vision_config', 224),
      patchSize: num(v, 'patch_size', 'vision_config', 32),
      channels,
      width: vWidth,
      depth: num(v, 'num_hidden_layers', 'vision_config', 12),
      heads: num(v, 'num_attention_heads', 'vision_config', 12),
      mlpRatio: ratio(num(v, 'intermediate_size', 'vision_config', 3072), vWidth, 'vision_config'),
      activation: hfActivation(v.hidden_act ?? 'quick_gelu', 'vision_config'),
      mean: channels === 3 ? CLIP_MEAN : new Array<number>(perChannel).fill(0.5),
      std: channels === 3 ? CLIP_STD : new Array<number>(perChannel).fill(0.5),
    },
    text: {
      contextLength: num(t, 'max_position_embeddings', 'text_config', 77),
      vocabSize: vocab,
      width: tWidth,
      depth: num(t, 'num_hidden_layers', 'text_config', 12),
      heads: num(t, 'num_attention_heads', 'text_config', 8),
      mlpRatio: ratio(num(t, 'intermediate_size', 'text_config', 2048), tWidth, 'text_config'),
      activation: hfActivation(t.hidden_act ?? 'quick_gelu', 'text_config'),
      eotTokenId: eos,
    },
  });
}

/** An open_clip model config (`embed_dim`, `vision_cfg`, `text_cfg`, optional `quick_gelu`). */
export function clipConfigFromOpenClip(json: Record<string, unknown>, name = 'open-clip'): ClipConfig {
  if (!OpenClipSchema.safeParse(json).success) fail('open_clip config', 'not an open_clip model config: vision_cfg and text_cfg are required (objects)');
  const v = json.vision_cfg as Record<string, unknown>;
  const t = json.text_cfg as Record<string, unknown>;
  const activation: Activation = json.quick_gelu === true ? 'quickgelu' : 'gelu';
  const vWidth = num(v, 'width', 'vision_cfg');
  const vocab = num(t, 'vocab_size', 'text_cfg', 49408);
  const mlp = (cfg: Record<string, unknown>, where: string) => {
    const r = num(cfg, 'mlp_ratio', where, 4);
    if (!Number.isInteger(r)) fail('open_clip config', `${where}.mlp_ratio ${r} is not an integer`, `${where}.mlp_ratio`);
    return r;
  };
  return resolveConfig({
    name,
    embedDim: num(json, 'embed_dim', 'config'),
    layerNormEpsilon: 1e-5,
    logitScaleInit: Math.log(1 / 0.07),
    vision: {
      imageSize: num(v, 'image_size', 'vision_cfg'),
      patchSize: num(v, 'patch_size', 'vision_cfg'),
      channels: 3,
      width: vWidth,
      depth: num(v, 'layers', 'vision_cfg'),
      // open_clip derives the head count from a head width of 64 unless it is given.
      heads: typeof v.heads === 'number' ? v.heads : vWidth / num(v, 'head_width', 'vision_cfg', 64),
      mlpRatio: mlp(v, 'vision_cfg'),
      activation,
      mean: CLIP_MEAN,
      std: CLIP_STD,
    },
    text: {
      contextLength: num(t, 'context_length', 'text_cfg', 77),
      vocabSize: vocab,
      width: num(t, 'width', 'text_cfg'),
      depth: num(t, 'layers', 'text_cfg'),
      heads: num(t, 'heads', 'text_cfg'),
      mlpRatio: mlp(t, 'text_cfg'),
      activation,
      eotTokenId: vocab - 1,
    },
  });
}
