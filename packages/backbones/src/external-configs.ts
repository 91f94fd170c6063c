import { resolveConfig, type Activation, type ClipConfig } from './config';

// Config files that come with published weights, turned into a ClipConfig so the graph
// matches the checkpoint without looking the shapes up by hand.

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

function num(obj: Record<string, unknown>, key: string, where: string, fallback?: number): number {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`${where}.${key} is missing or not a number`);
  return v;
}

function ratio(hidden: number, width: number, where: string): number {
  const r = hidden / width;
  if (!Number.isInteger(r)) throw new Error(`${where}: intermediate_size ${hidden} is not a whole multiple of hidden_size ${width}, which this package's mlpRatio needs`);
  return r;
}

function hfActivation(v: unknown, where: string): Activation {
  if (v === 'quick_gelu') return 'quickgelu';
  if (v === 'gelu') return 'gelu';
  throw new Error(`${where}.hidden_act "${String(v)}" is not supported (quick_gelu or gelu)`);
}

/** A Hugging Face CLIPModel config.json (`vision_config`, `text_config`, `projection_dim`). */
export function clipConfigFromHf(json: Record<string, unknown>, name = 'hf-clip'): ClipConfig {
  const v = json.vision_config as Record<string, unknown> | undefined;
  const t = json.text_config as Record<string, unknown> | undefined;
  if (!v || !t) throw new Error('not a Hugging Face CLIP config: vision_config and text_config are required');
  const vWidth = num(v, 'hidden_size', 'vision_config');
  const tWidth = num(t, 'hidden_size', 'text_config');
  const vocab = num(t, 'vocab_size', 'text_config');
  // Early HF configs carry eos_token_id 2 while the CLIP vocabulary ends with <|endoftext|>;
  // transformers then pools at the largest id, which is the last vocabulary entry.
  const eos = typeof t.eos_token_id === 'number' && t.eos_token_id !== 2 ? t.eos_token_id : vocab - 1;
  const channels = num(v, 'num_channels', 'vision_config', 3);
  return resolveConfig({
    name,
    embedDim: num(json, 'projection_dim', 'config', 512),
    layerNormEpsilon: num(v, 'layer_norm_eps', 'vision_config', 1e-5),
    logitScaleInit: num(json, 'logit_scale_init_value', 'config', Math.log(1 / 0.07)),
    vision: {
      imageSize: num(v, 'image_size', 'vision_config'),
      patchSize: num(v, 'patch_size', 'vision_config'),
      channels,
      width: vWidth,
      depth: num(v, 'num_hidden_layers', 'vision_config'),
      heads: num(v, 'num_attention_heads', 'vision_config'),
      mlpRatio: ratio(num(v, 'intermediate_size', 'vision_config'), vWidth, 'vision_config'),
      activation: hfActivation(v.hidden_act ?? 'quick_gelu', 'vision_config'),
      mean: channels === 3 ? CLIP_MEAN : new Array(channels).fill(0.5),
      std: channels === 3 ? CLIP_STD : new Array(channels).fill(0.5),
    },
    text: {
      contextLength: num(t, 'max_position_embeddings', 'text_config', 77),
      vocabSize: vocab,
      width: tWidth,
      depth: num(t, 'num_hidden_layers', 'text_config'),
      heads: num(t, 'num_attention_heads', 'text_config'),
      mlpRatio: ratio(num(t, 'intermediate_size', 'text_config'), tWidth, 'text_config'),
      activation: hfActivation(t.hidden_act ?? 'quick_gelu', 'text_config'),
      eotTokenId: eos,
    },
  });
}

/** An open_clip model config (`embed_dim`, `vision_cfg`, `text_cfg`, optional `quick_gelu`). */
export function clipConfigFromOpenClip(json: Record<string, unknown>, name = 'open-clip'): ClipConfig {
  const v = json.vision_cfg as Record<string, unknown> | undefined;
  const t = json.text_cfg as Record<string, unknown> | undefined;
  if (!v || !t) throw new Error('not an open_clip model config: vision_cfg and text_cfg are required');
  const activation: Activation = json.quick_gelu ? 'quickgelu' : 'gelu';
  const vWidth = num(v, 'width', 'vision_cfg');
  const vocab = num(t, 'vocab_size', 'text_cfg', 49408);
  const mlp = (cfg: Record<string, unknown>, where: string) => {
    const r = num(cfg, 'mlp_ratio', where, 4);
    if (!Number.isInteger(r)) throw new Error(`${where}.mlp_ratio ${r} is not an integer`);
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
