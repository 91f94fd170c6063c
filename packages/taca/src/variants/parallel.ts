import type { EncoderHooks, SublayerHookArgs } from '@hotplug/backbones';
import { AdapterBuilder, type BottleneckNames } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';
import { BOTTLENECK_DEFAULTS, BottleneckOptionsSchema, type BottleneckOptions } from './bottleneck-options';

/**
 * Parallel adapter (He et al., 2022): one bottleneck beside the MLP sub-layer of each chosen
 * block, reading the MLP's input (its LayerNorm output) and added to the MLP's output:
 *   out_mlp' = out_mlp + s·up(act(down(ln2(x)))).
 * It is taca-symmetric without the attention-side adapter: the "standard adapter" of the ablation.
 */
export const parallelAdapter: AdapterFactory<BottleneckOptions> = (config, target) => {
  const o = config.options;
  const b = new AdapterBuilder(config, target);
  const weights = new Map<number, BottleneckNames>();
  for (const block of b.blocks) weights.set(block, b.bottleneck(`adapter.blocks.${block}.mlp`, target.width, target.width, o.bottleneck));
  const hooks: EncoderHooks = {
    sublayer<T>({ ops, block, sublayer, normed, output }: SublayerHookArgs<T>) {
      const names = sublayer === 'mlp' ? weights.get(block) : undefined;
      if (names) return ops.add(output, b.applyBottleneck(ops, normed, names, o));
    },
  };
  return b.build(hooks);
};

export const PARALLEL: AdapterVariantSpec<BottleneckOptions> = {
  defaults: BOTTLENECK_DEFAULTS,
  validate: BottleneckOptionsSchema,
  describe: 'parallel bottleneck beside the MLP of each block (He et al. 2022)',
};
