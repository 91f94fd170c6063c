// Adapters as data. What every variant shares (where it goes, how its output reaches the old
// space, its seed) is here; what one variant alone means (a bottleneck width, LoRA's targets)
// lives in that variant's file as its own options with defaults and a validator.

/**
 * When the adapted embedding passes through a learned linear map into the old model's
 * embedding dimension: 'auto' adds one only when the dimensions differ, 'always' adds one
 * anyway (initialised to the identity when square), 'never' refuses a dimension mismatch.
 */
export type OutputProjectionMode = 'auto' | 'always' | 'never';

/** A resolved adapter config: the shared fields, and the variant's own options (defaults filled in, validated). */
export interface AdapterConfig<O extends object = Record<string, unknown>> {
  /** Registered variant name (`taca-symmetric`, `sequential`, `parallel`, `lora`, `projection`, or your own). */
  variant: string;
  /** Blocks that get adapters (default: every block). */
  blocks?: number[];
  outputProjection: OutputProjectionMode;
  /** Seed of the random initialisations (down-projections, LoRA A). */
  seed: number;
  /** The variant's own options (see `listAdapters()` for each variant's defaults). */
  options: O;
}

/**
 * What createAdapter accepts: the shared fields, the variant's options under `options`, or
 * (shorthand) a variant's options at the top level: `{ variant: 'lora', bottleneck: 8 }`.
 */
export type AdapterConfigInput = {
  variant: string;
  blocks?: number[];
  outputProjection?: OutputProjectionMode;
  seed?: number;
  options?: Record<string, unknown>;
} & Record<string, unknown>;

/** Defaults of the fields every variant shares. */
export const ADAPTER_DEFAULTS: Omit<AdapterConfig, 'variant' | 'options'> = { outputProjection: 'auto', seed: 0 };

/** The shared fields; every other key of an AdapterConfigInput is a variant option. */
export const SHARED_FIELDS = ['variant', 'blocks', 'outputProjection', 'seed', 'options'] as const;

/** Checks the shared fields; returns one line per problem. */
export function sharedConfigProblems(config: Omit<AdapterConfig, 'options'>): string[] {
  const problems: string[] = [];
  if (typeof config.variant !== 'string' || config.variant === '') problems.push('variant must be a registered adapter name');
  if (config.blocks !== undefined && (!Array.isArray(config.blocks) || config.blocks.some((b) => !Number.isInteger(b) || b < 0)))
    problems.push(`blocks must be a list of block indices (non-negative integers), got ${JSON.stringify(config.blocks)}`);
  if (!['auto', 'always', 'never'].includes(config.outputProjection))
    problems.push(`outputProjection must be auto, always or never, got ${JSON.stringify(config.outputProjection)}`);
  if (!Number.isInteger(config.seed)) problems.push(`seed must be an integer, got ${config.seed}`);
  return problems;
}
