// Models as data: a CLIP is fully described by this config; the registry names the
// shapes users have weights for.
import { z } from 'zod';
import { ModelConfigError } from './errors';

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

function openaiClip(
  name: string,
  embedDim: number,
  vision: Pick<VisionConfig, 'imageSize' | 'patchSize' | 'width' | 'depth' | 'heads'>,
  text: Pick<TextConfig, 'width' | 'heads'>,
): ClipConfig {
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
  if (!found)
    throw new ModelConfigError({
      file: 'model registry',
      problem: `unknown model config "${name}"; registered configs: ${listConfigs().join(', ')}. Register your own with registerConfig().`,
    });
  return structuredClone(found);
}

/** Resolves a name or a (possibly partial) config over a base name. */
export function resolveConfig(spec: string | ClipConfig | (ClipConfigInput & { base?: string }), source = 'model config'): ClipConfig {
  if (typeof spec === 'string') return getConfig(spec);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new ModelConfigError({ file: source, problem: `a model config must be a name or an object, got ${JSON.stringify(spec)}` });
  if ('base' in spec && spec.base !== undefined && typeof spec.base !== 'string')
    throw new ModelConfigError({ file: source, field: 'base', problem: `base must be the name of a registered config, got ${JSON.stringify(spec.base)}` });
  const base = 'base' in spec && spec.base ? getConfig(spec.base) : undefined;
  const { base: _ignored, ...rest } = spec as ClipConfigInput & { base?: string };
  const merged = base ? { ...base, ...rest, vision: { ...base.vision, ...rest.vision }, text: { ...base.text, ...rest.text } } : (rest as ClipConfig);
  validateConfig(merged as ClipConfig, {}, source);
  return structuredClone(merged as ClipConfig);
}

/**
 * Upper bounds a config must stay within, so a config file cannot make createClip allocate
 * without limit (each is far above any published CLIP; ViT-G/14 has about 1.8e9 parameters).
 */
export interface ConfigLimits {
  maxImageSize: number;
  maxChannels: number;
  maxWidth: number;
  maxDepth: number;
  maxHeads: number;
  maxMlpRatio: number;
  maxContextLength: number;
  maxVocabSize: number;
  maxEmbedDim: number;
  /** Estimated parameters of the whole model. */
  maxParameters: number;
}

export const DEFAULT_CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  maxImageSize: 4096,
  maxChannels: 16,
  maxWidth: 8192,
  maxDepth: 256,
  maxHeads: 256,
  maxMlpRatio: 16,
  maxContextLength: 8192,
  maxVocabSize: 1 << 20,
  maxEmbedDim: 8192,
  maxParameters: 5e9,
});

const Activation = z.enum(['gelu', 'quickgelu'], { error: (i) => `must be "gelu" or "quickgelu", got ${JSON.stringify(i.input)}` });

function configSchema(l: ConfigLimits) {
  const int = (max: number) =>
    z.unknown().superRefine((v, ctx) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
        ctx.addIssue({ code: 'custom', message: `must be a positive integer, got ${JSON.stringify(v)}` });
      else if (v > max) ctx.addIssue({ code: 'custom', message: `${v} is above the limit ${max}` });
    });
  const finite = z.number({ error: (i) => `must be a number, got ${JSON.stringify(i.input)}` }).refine(Number.isFinite, 'must be finite');
  return z.object({
    name: z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string'),
    embedDim: int(l.maxEmbedDim),
    layerNormEpsilon: finite.refine((v) => v > 0, 'must be > 0'),
    logitScaleInit: finite,
    vision: z.object(
      {
        imageSize: int(l.maxImageSize),
        patchSize: int(l.maxImageSize),
        channels: int(l.maxChannels),
        width: int(l.maxWidth),
        depth: int(l.maxDepth),
        heads: int(l.maxHeads),
        mlpRatio: int(l.maxMlpRatio),
        activation: Activation,
        mean: z.array(finite, { error: 'must be a list of numbers' }),
        std: z.array(finite, { error: 'must be a list of numbers' }),
      },
      { error: 'section is missing' },
    ),
    text: z.object(
      {
        contextLength: int(l.maxContextLength),
        vocabSize: int(l.maxVocabSize),
        width: int(l.maxWidth),
        depth: int(l.maxDepth),
        heads: int(l.maxHeads),
        mlpRatio: int(l.maxMlpRatio),
        activation: Activation,
        eotTokenId: z
          .number({ error: (i) => `must be a token id, got ${JSON.stringify(i.input)}` })
          .int('must be an integer')
          .nonnegative('must be >= 0'),
      },
      { error: 'section is missing' },
    ),
  });
}

/** Parameters a config makes (weights and biases of every layer), for the size limit. */
export function estimateParameters(c: ClipConfig): number {
  const block = (w: number, r: number) => 4 * w * w + 4 * w + 2 * r * w * w + (r + 1) * w + 4 * w;
  const v = c.vision;
  const t = c.text;
  const vision =
    v.depth * block(v.width, v.mlpRatio) + v.channels * v.patchSize ** 2 * v.width + visionTokenCount(v) * v.width + v.width * c.embedDim + 6 * v.width;
  const text = t.depth * block(t.width, t.mlpRatio) + (t.vocabSize + t.contextLength) * t.width + t.width * c.embedDim + 2 * t.width;
  return vision + text + 1;
}

/**
 * Throws one ModelConfigError listing every problem found in the config: types and ranges
 * (zod schema, bounded by `limits`), then the relations between fields.
 */
export function validateConfig(config: ClipConfig, limits: Partial<ConfigLimits> = {}, source = 'model config'): void {
  const l = { ...DEFAULT_CONFIG_LIMITS, ...limits };
  const label = (config as { name?: unknown } | null)?.name;
  const fail = (problems: string[]): never => {
    throw new ModelConfigError({
      file: source,
      problem: `invalid model config${typeof label === 'string' && label ? ` "${label}"` : ''}:\n  - ${problems.join('\n  - ')}`,
      fix: "Fix the fields above (limits: DEFAULT_CONFIG_LIMITS, raised through validateConfig's limits argument)",
    });
  };
  if (!config || typeof config !== 'object' || Array.isArray(config)) fail(['model config must be an object']);
  const parsed = configSchema(l).safeParse(config);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'config'} ${i.message}`);
  const v = config.vision;
  const t = config.text;
  const ints = (...xs: unknown[]) => xs.every((x) => Number.isInteger(x) && (x as number) > 0);
  if (v && typeof v === 'object') {
    if (ints(v.imageSize, v.patchSize) && v.imageSize % v.patchSize !== 0)
      problems.push(`vision.imageSize ${v.imageSize} is not a multiple of vision.patchSize ${v.patchSize}`);
    if (ints(v.width, v.heads) && v.width % v.heads !== 0) problems.push(`vision.width ${v.width} is not divisible by vision.heads ${v.heads}`);
    if (!Array.isArray(v.mean) || v.mean.length !== v.channels) problems.push(`vision.mean must have one value per channel (${v.channels})`);
    if (!Array.isArray(v.std) || v.std.length !== v.channels || v.std.some((s) => !(s > 0)))
      problems.push(`vision.std must have one positive value per channel (${v.channels})`);
  }
  if (t && typeof t === 'object') {
    if (ints(t.width, t.heads) && t.width % t.heads !== 0) problems.push(`text.width ${t.width} is not divisible by text.heads ${t.heads}`);
    if (Number.isInteger(t.eotTokenId) && ints(t.vocabSize) && t.eotTokenId >= t.vocabSize)
      problems.push(`text.eotTokenId ${t.eotTokenId} must be a token id below text.vocabSize ${t.vocabSize}`);
  }
  if (problems.length) fail(problems);
  const params = estimateParameters(config);
  if (params > l.maxParameters)
    fail([`the config makes about ${params.toExponential(2)} parameters, above the limit ${l.maxParameters.toExponential(2)} (maxParameters)`]);
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
