// Models as data: a CLIP is fully described by this config; the registry names the
// shapes users have weights for.

export type Activation = 'gelu' | 'quickgelu';

export interface VisionConfig {
  imageSize: number;
  patchSize: number;
  channels: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  activation: Activation;
  /** Per-channel normalisation the caller applies before encoding (images enter already normalised). */
  mean: number[];
  std: number[];
}

export interface TextConfig {
  contextLength: number;
  vocabSize: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  activation: Activation;
  /** Token id that ends a sequence; its first occurrence is the pooled position. */
  eotTokenId: number;
}

export interface ClipConfig {
  name: string;
  embedDim: number;
  /** Epsilon of every LayerNorm (1e-5 in CLIP). */
  layerNormEpsilon: number;
  /** Initial value of logit_scale (the log of the temperature's inverse). */
  logitScaleInit: number;
  vision: VisionConfig;
  text: TextConfig;
}

/** A config with any field left out taken from a named base. */
export type ClipConfigInput = Partial<Omit<ClipConfig, 'vision' | 'text'>> & {
  vision?: Partial<VisionConfig>;
  text?: Partial<TextConfig>;
};

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
// Fashion-MNIST pixel statistics (0..1 scale), used by the embedded models.
const GRAY_MEAN = [0.286];
const GRAY_STD = [0.353];
const LOG_1_OVER_007 = Math.log(1 / 0.07);

function openaiClip(name: string, embedDim: number, vision: Pick<VisionConfig, 'imageSize' | 'patchSize' | 'width' | 'depth' | 'heads'>, text: Pick<TextConfig, 'width' | 'heads'>): ClipConfig {
  return {
    name,
    embedDim,
    layerNormEpsilon: 1e-5,
    logitScaleInit: LOG_1_OVER_007,
    vision: { ...vision, channels: 3, mlpRatio: 4, activation: 'quickgelu', mean: CLIP_MEAN, std: CLIP_STD },
    text: { ...text, contextLength: 77, vocabSize: 49408, depth: 12, mlpRatio: 4, activation: 'quickgelu', eotTokenId: 49407 },
  };
}

// The embedded default pair (sizes fixed by the pretraining issue). vocabSize and
// eotTokenId are placeholders until the tokenizer built from the caption corpus sets them.
const EMBEDDED_TEXT_VOCAB = 1024;

const registry = new Map<string, ClipConfig>();

export function registerConfig(config: ClipConfig): void {
  validateConfig(config);
  registry.set(config.name, structuredClone(config));
}

export function listConfigs(): string[] {
  return [...registry.keys()];
}

export function getConfig(name: string): ClipConfig {
  // Published names are written both ways ("ViT-B/32" in papers, "ViT-B-32" in open_clip).
  const found = registry.get(name) ?? registry.get(name.replace(/\//g, '-'));
  if (!found) throw new Error(`unknown model config "${name}"; registered configs: ${listConfigs().join(', ')}. Register your own with registerConfig().`);
  return structuredClone(found);
}

/** Resolves a name or a (possibly partial) config over a base name. */
export function resolveConfig(spec: string | ClipConfig | (ClipConfigInput & { base?: string })): ClipConfig {
  if (typeof spec === 'string') return getConfig(spec);
  const base = 'base' in spec && spec.base ? getConfig(spec.base) : undefined;
  const { base: _ignored, ...rest } = spec as ClipConfigInput & { base?: string };
  const merged = base
    ? { ...base, ...rest, vision: { ...base.vision, ...rest.vision }, text: { ...base.text, ...rest.text } }
    : (rest as ClipConfig);
  validateConfig(merged as ClipConfig);
  return structuredClone(merged as ClipConfig);
}

/** Throws one error listing every problem found in the config. */
export function validateConfig(config: ClipConfig): void {
  const problems: string[] = [];
  const positiveInt = (path: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) problems.push(`${path} must be a positive integer, got ${JSON.stringify(v)}`);
  };
  if (!config || typeof config !== 'object') throw new Error('model config must be an object');
  if (typeof config.name !== 'string' || !config.name) problems.push('name must be a non-empty string');
  positiveInt('embedDim', config.embedDim);
  if (!(config.layerNormEpsilon > 0)) problems.push(`layerNormEpsilon must be > 0, got ${config.layerNormEpsilon}`);
  if (typeof config.logitScaleInit !== 'number') problems.push('logitScaleInit must be a number');
  const v = config.vision;
  const t = config.text;
  if (!v) problems.push('vision section is missing');
  if (!t) problems.push('text section is missing');
  if (v) {
    for (const k of ['imageSize', 'patchSize', 'channels', 'width', 'depth', 'heads', 'mlpRatio'] as const) positiveInt(`vision.${k}`, v[k]);
    if (v.imageSize % v.patchSize !== 0) problems.push(`vision.imageSize ${v.imageSize} is not a multiple of vision.patchSize ${v.patchSize}`);
    if (v.width % v.heads !== 0) problems.push(`vision.width ${v.width} is not divisible by vision.heads ${v.heads}`);
    if (v.activation !== 'gelu' && v.activation !== 'quickgelu') problems.push(`vision.activation must be "gelu" or "quickgelu", got ${JSON.stringify(v.activation)}`);
    if (!Array.isArray(v.mean) || v.mean.length !== v.channels) problems.push(`vision.mean must have one value per channel (${v.channels})`);
    if (!Array.isArray(v.std) || v.std.length !== v.channels || v.std.some((s) => !(s > 0))) problems.push(`vision.std must have one positive value per channel (${v.channels})`);
  }
  if (t) {
    for (const k of ['contextLength', 'vocabSize', 'width', 'depth', 'heads', 'mlpRatio'] as const) positiveInt(`text.${k}`, t[k]);
    if (t.width % t.heads !== 0) problems.push(`text.width ${t.width} is not divisible by text.heads ${t.heads}`);
    if (t.activation !== 'gelu' && t.activation !== 'quickgelu') problems.push(`text.activation must be "gelu" or "quickgelu", got ${JSON.stringify(t.activation)}`);
    if (!Number.isInteger(t.eotTokenId) || t.eotTokenId < 0 || t.eotTokenId >= t.vocabSize) problems.push(`text.eotTokenId ${t.eotTokenId} must be a token id below text.vocabSize ${t.vocabSize}`);
  }
  if (problems.length) throw new Error(`invalid model config${config.name ? ` "${config.name}"` : ''}:\n  - ${problems.join('\n  - ')}`);
}

/** Number of tokens the image encoder sees: patches plus the class token. */
export function visionTokenCount(v: VisionConfig): number {
  return (v.imageSize / v.patchSize) ** 2 + 1;
}

registerConfig({
  name: 'hotplug-old',
  embedDim: 64,
  layerNormEpsilon: 1e-5,
  logitScaleInit: LOG_1_OVER_007,
  vision: { imageSize: 28, patchSize: 7, channels: 1, width: 64, depth: 3, heads: 4, mlpRatio: 4, activation: 'quickgelu', mean: GRAY_MEAN, std: GRAY_STD },
  text: { contextLength: 16, vocabSize: EMBEDDED_TEXT_VOCAB, width: 64, depth: 2, heads: 4, mlpRatio: 4, activation: 'quickgelu', eotTokenId: 2 },
});
registerConfig({
  name: 'hotplug-new',
  embedDim: 64,
  layerNormEpsilon: 1e-5,
  logitScaleInit: LOG_1_OVER_007,
  vision: { imageSize: 28, patchSize: 4, channels: 1, width: 96, depth: 4, heads: 4, mlpRatio: 4, activation: 'gelu', mean: GRAY_MEAN, std: GRAY_STD },
  text: { contextLength: 16, vocabSize: EMBEDDED_TEXT_VOCAB, width: 64, depth: 3, heads: 4, mlpRatio: 4, activation: 'gelu', eotTokenId: 2 },
});
registerConfig(openaiClip('ViT-B-32', 512, { imageSize: 224, patchSize: 32, width: 768, depth: 12, heads: 12 }, { width: 512, heads: 8 }));
registerConfig(openaiClip('ViT-B-16', 512, { imageSize: 224, patchSize: 16, width: 768, depth: 12, heads: 12 }, { width: 512, heads: 8 }));
registerConfig(openaiClip('ViT-L-14', 768, { imageSize: 224, patchSize: 14, width: 1024, depth: 24, heads: 16 }, { width: 768, heads: 12 }));
