import type { EncoderHooks, SublayerHookArgs } from '@hotplug/backbones';
import { AdapterBuilder, type BottleneckNames } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';
import { BOTTLENECK_DEFAULTS, BottleneckOptionsSchema, type BottleneckOptions } from './bottleneck-options';

/**
 * TaCA's symmetric adapter, as read here: in every chosen block, one parallel bottleneck
 * beside the attention sub-layer and one beside the MLP sub-layer, both the same shape
 * (width -> r -> width, same activation and scale), each reading the LayerNorm output its
 * sub-layer reads and adding to that sub-layer's output:
 *   out_attn' = out_attn + s·up(act(down(ln1(x)))),  out_mlp' = out_mlp + s·up(act(down(ln2(x)))).
 */
export const tacaSymmetric: AdapterFactory<BottleneckOptions> = (config, target) => {
  const o = config.options;
  const b = new AdapterBuilder(config, target);
  const weights = new Map<string, BottleneckNames>();
  for (const block of b.blocks)
    for (const site of ['attention', 'mlp'] as const)
      weights.set(`${block}.${site}`, b.bottleneck(`adapter.blocks.${block}.${site}`, target.width, target.width, o.bottleneck));
  const hooks: EncoderHooks = {
    sublayer<T>({ ops, block, sublayer, normed, output }: SublayerHookArgs<T>) {
      const names = weights.get(`${block}.${sublayer}`);
      if (names) return ops.add(output, b.applyBottleneck(ops, normed, names, o));
    },
  };
  return b.build(hooks);
};

export const TACA_SYMMETRIC: AdapterVariantSpec<BottleneckOptions> = {
  defaults: BOTTLENECK_DEFAULTS,
  validate: BottleneckOptionsSchema,
  describe: 'parallel bottleneck beside attention and MLP of each block: out + s·up(act(down(LN(x))))',
};
