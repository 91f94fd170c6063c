import type { EncoderHooks, LinearHookArgs } from '@hotplug/backbones';
import { z } from 'zod';
import { AdapterBuilder } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';

export type LoraTarget = 'q' | 'k' | 'v' | 'out';

export interface LoraOptions {
  /** Rank r of the update (named like the other variants' width, so one `--bottleneck` sets both). */
  bottleneck: number;
  /** Multiplier s of the update (alpha / r folded in). */
  scale: number;
  /** Attention projections that get a low-rank update. */
  targets: LoraTarget[];
}

export const LORA_DEFAULTS: LoraOptions = { bottleneck: 16, scale: 1, targets: ['q', 'v'] };

const LoraOptionsSchema = z.strictObject({
  bottleneck: z
    .number()
    .int()
    .positive()
    .max(1 << 16),
  scale: z.number().finite(),
  targets: z
    .array(z.enum(['q', 'k', 'v', 'out']))
    .min(1)
    .max(4)
    .refine((t) => new Set(t).size === t.length, 'each target at most once'),
});

/**
 * LoRA (Hu et al., 2021) on the attention projections named by `targets` (default q, v):
 *   y' = y + s·(x·A)·B, A [width, r] ~ N(0, width^-1/2), B [r, width] = 0.
 * No activation and no biases, so a trained LoRA could be merged into the frozen weights.
 */
export const loraAdapter: AdapterFactory<LoraOptions> = (config, target) => {
  const o = config.options;
  const b = new AdapterBuilder(config, target);
  const weights = new Map<string, { a: string; b: string }>();
  for (const block of b.blocks)
    for (const t of o.targets) {
      const prefix = `adapter.blocks.${block}.lora_${t}`;
      weights.set(`${block}.${t}`, {
        a: b.normal(`${prefix}.a`, [target.width, o.bottleneck], target.width ** -0.5),
        b: b.zeros(`${prefix}.b`, [o.bottleneck, target.width]),
      });
    }
  const hooks: EncoderHooks = {
    linear<T>({ ops, block, linear, input, output }: LinearHookArgs<T>) {
      const names = weights.get(`${block}.${linear}`);
      if (!names) return;
      const low = ops.linear(ops.linear(input, b.weight(ops, names.a)), b.weight(ops, names.b));
      return ops.add(output, o.scale === 1 ? low : ops.scale(low, o.scale));
    },
  };
  return b.build(hooks);
};

export const LORA: AdapterVariantSpec<LoraOptions> = {
  defaults: LORA_DEFAULTS,
  validate: LoraOptionsSchema,
  describe: 'low-rank update y + s·(x·A)·B of the attention projections in `targets` (Hu et al. 2021)',
};
