import type { EncoderHooks, SublayerHookArgs } from '@hotplug/backbones';
import { AdapterBuilder, type BottleneckNames } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';
import { BOTTLENECK_DEFAULTS, BottleneckOptionsSchema, type BottleneckOptions } from './bottleneck-options';

/**
 * Sequential adapter (Houlsby et al., 2019): a bottleneck with its own skip connection
 * after each sub-layer (attention and MLP) of each chosen block, before the residual add:
 *   out' = out + s·up(act(down(out))).
 */
export const sequentialAdapter: AdapterFactory<BottleneckOptions> = (config, target) => {
  const o = config.options;
  const b = new AdapterBuilder(config, target);
  const weights = new Map<string, BottleneckNames>();
  for (const block of b.blocks)
    for (const site of ['attention', 'mlp'] as const)
      weights.set(`${block}.${site}`, b.bottleneck(`adapter.blocks.${block}.${site}`, target.width, target.width, o.bottleneck));
  const hooks: EncoderHooks = {
    sublayer<T>({ ops, block, sublayer, output }: SublayerHookArgs<T>) {
      const names = weights.get(`${block}.${sublayer}`);
      if (names) return ops.add(output, b.applyBottleneck(ops, output, names, o));
    },
  };
  return b.build(hooks);
};

export const SEQUENTIAL: AdapterVariantSpec<BottleneckOptions> = {
  defaults: BOTTLENECK_DEFAULTS,
  validate: BottleneckOptionsSchema,
  describe: 'bottleneck after attention and after MLP of each block: out + s·up(act(down(out))) (Houlsby et al. 2019)',
};
