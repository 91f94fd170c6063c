// Adapters as data: everything that decides an adapter's shape and behaviour is in this config.

export type BottleneckActivation = 'relu' | 'gelu' | 'quickgelu';
export type LoraTarget = 'q' | 'k' | 'v' | 'out';

/**
 * When the adapted embedding passes through a learned linear map into the old model's
 * embedding dimension: 'auto' adds one only when the dimensions differ, 'always' adds one
 * anyway (initialised to the identity when square), 'never' refuses a dimension mismatch.
 */
export type OutputProjectionMode = 'auto' | 'always' | 'never';

export interface AdapterConfig {
  /** Registered variant name (`taca-symmetric`, `sequential`, `parallel`, `lora`, `projection`, or your own). */
  variant: string;
  /** Bottleneck width r of the down/up projections (LoRA: the rank). */
  bottleneck: number;
  /** Multiplier of the adapter's contribution (LoRA: alpha / r folded in). */
  scale: number;
  /** Blocks that get adapters (default: every block). */
  blocks?: number[];
  activation: BottleneckActivation;
  /** LoRA only: which attention projections get low-rank updates. */
  loraTargets: LoraTarget[];
  outputProjection: OutputProjectionMode;
  /** Seed of the down-projection initialisation (up-projections start at zero). */
  seed: number;
}

export type AdapterConfigInput = Partial<AdapterConfig> & { variant: string };

export const ADAPTER_DEFAULTS: Omit<AdapterConfig, 'variant'> = {
  bottleneck: 16,
  scale: 1,
  activation: 'relu',
  loraTargets: ['q', 'v'],
  outputProjection: 'auto',
  seed: 0,
};

/** Fills defaults and rejects bad values with one message listing every problem. */
export function resolveAdapterConfig(input: AdapterConfigInput): AdapterConfig {
  const config: AdapterConfig = { ...ADAPTER_DEFAULTS, ...input };
  const problems: string[] = [];
  if (typeof config.variant !== 'string' || config.variant === '') problems.push('variant must be a registered adapter name');
  if (!Number.isInteger(config.bottleneck) || config.bottleneck <= 0) problems.push(`bottleneck must be a positive integer, got ${config.bottleneck}`);
  if (!Number.isFinite(config.scale)) problems.push(`scale must be a finite number, got ${config.scale}`);
  if (config.blocks !== undefined && (!Array.isArray(config.blocks) || config.blocks.some((b) => !Number.isInteger(b) || b < 0)))
    problems.push(`blocks must be a list of block indices (non-negative integers), got ${JSON.stringify(config.blocks)}`);
  if (!['relu', 'gelu', 'quickgelu'].includes(config.activation)) problems.push(`activation must be relu, gelu or quickgelu, got ${JSON.stringify(config.activation)}`);
  if (!Array.isArray(config.loraTargets) || config.loraTargets.length === 0 || config.loraTargets.some((t) => !['q', 'k', 'v', 'out'].includes(t)))
    problems.push(`loraTargets must be a non-empty subset of q, k, v, out; got ${JSON.stringify(config.loraTargets)}`);
  if (!['auto', 'always', 'never'].includes(config.outputProjection)) problems.push(`outputProjection must be auto, always or never, got ${JSON.stringify(config.outputProjection)}`);
  if (!Number.isInteger(config.seed)) problems.push(`seed must be an integer, got ${config.seed}`);
  if (problems.length) throw new Error(`invalid adapter config:\n  - ${problems.join('\n  - ')}`);
  return { ...config, blocks: config.blocks ? [...config.blocks] : undefined, loraTargets: [...config.loraTargets] };
}
