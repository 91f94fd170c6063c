import type { EncoderHooks, LinearHookArgs } from '@hotplug/backbones';
import { AdapterBuilder } from '../adapter';
import type { AdapterFactory } from '../registry';

/**
 * LoRA (Hu et al., 2021) on the attention projections named by `loraTargets` (default q, v):
 *   y' = y + s·(x·A)·B, A [width, r] ~ N(0, width^-1/2), B [r, width] = 0.
 * No activation and no biases, so a trained LoRA could be merged into the frozen weights.
 */
export const loraAdapter: AdapterFactory = (config, target) => {
  const b = new AdapterBuilder(config, target);
  const weights = new Map<string, { a: string; b: string }>();
  for (const block of b.blocks)
    for (const t of config.loraTargets) {
      const prefix = `adapter.blocks.${block}.lora_${t}`;
      weights.set(`${block}.${t}`, { a: b.normal(`${prefix}.a`, [target.width, config.bottleneck], target.width ** -0.5), b: b.zeros(`${prefix}.b`, [config.bottleneck, target.width]) });
    }
  const hooks: EncoderHooks = {
    linear<T>({ ops, block, linear, input, output }: LinearHookArgs<T>): T | void {
      const names = weights.get(`${block}.${linear}`);
      if (!names) return;
      const low = ops.linear(ops.linear(input, ops.weight(names.a, b.params.get(names.a)!)), ops.weight(names.b, b.params.get(names.b)!));
      return ops.add(output, config.scale === 1 ? low : ops.scale(low, config.scale));
    },
  };
  return b.build(hooks);
};
