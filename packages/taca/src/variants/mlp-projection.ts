import type { TensorOps } from '@hotplug/backbones';
import { z } from 'zod';
import { activate, AdapterBuilder, type AdapterTarget, type BottleneckActivation } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';

/**
 * The projection baseline's non-linear sibling, sized like `taca-symmetric`: no adapter inside
 * the blocks; the new embedding e goes through a 2-layer MLP (embedDim -> hidden -> oldEmbedDim)
 * added beside the linear output projection P, which acts as its skip:
 *   y = P(e) + fc2(act(fc1(e)))      (P = the identity when `outputProjection` adds none).
 * fc2 starts at zero, so the adapter starts as the `projection` baseline (as the new model
 * when P is the identity) and can represent everything the baseline can; the MLP is not stacked
 * behind P, so no second linear map is chained after the non-linearity.
 *
 * The hidden width defaults to the one whose parameter count matches `taca-symmetric` with
 * bottleneck `bottleneck` on the same target and blocks: P is the same for both variants
 * under the same `outputProjection`, so it is left out of the match.
 */
export interface MlpProjectionOptions {
  /** Hidden width of the MLP, or 'matched': the width that matches taca-symmetric's parameter count. */
  hidden: number | 'matched';
  /** The taca-symmetric bottleneck whose parameter count 'matched' matches (apps' `--bottleneck` sets both). */
  bottleneck: number;
  activation: BottleneckActivation;
}

export const MLP_PROJECTION_DEFAULTS: MlpProjectionOptions = { hidden: 'matched', bottleneck: 16, activation: 'gelu' };

const width = z
  .number()
  .int()
  .positive()
  .max(1 << 16);

export const MlpProjectionOptionsSchema = z.strictObject({
  hidden: z.union([z.literal('matched'), width]),
  bottleneck: width,
  activation: z.enum(['relu', 'gelu', 'quickgelu']),
});

/**
 * Trainable scalars taca-symmetric adds inside the blocks (its output projection aside): per
 * chosen block, two bottlenecks width -> r -> width with biases.
 */
export function tacaSymmetricBlockParameters(target: Pick<AdapterTarget, 'width'>, bottleneck: number, blockCount: number): number {
  const { width: w } = target;
  return blockCount * 2 * (w * bottleneck + bottleneck + bottleneck * w + w);
}

/**
 * The MLP hidden width h whose h·(embedDim + 1) + h·oldEmbedDim + oldEmbedDim scalars come
 * closest to taca-symmetric's in-block count (at least 1).
 */
export function matchedMlpHidden(target: Pick<AdapterTarget, 'width' | 'embedDim' | 'oldEmbedDim'>, bottleneck: number, blockCount: number): number {
  const budget = tacaSymmetricBlockParameters(target, bottleneck, blockCount) - target.oldEmbedDim;
  return Math.max(1, Math.round(budget / (target.embedDim + 1 + target.oldEmbedDim)));
}

export const mlpProjectionAdapter: AdapterFactory<MlpProjectionOptions> = (config, target) => {
  const o = config.options;
  const b = new AdapterBuilder(config, target);
  const hidden = o.hidden === 'matched' ? matchedMlpHidden(target, o.bottleneck, b.blocks.length) : o.hidden;
  const { embedDim, oldEmbedDim } = target;
  // No hooks: the blocks stay the new model's (and training can encode each corpus row once).
  // Built first, so a dimension mismatch under outputProjection 'never' throws before the MLP is allocated;
  // the adapter's parameter map is the builder's, so the MLP weights created below are part of it.
  const base = b.build(undefined);
  // Same initialisation as the bottlenecks: fc1 N(0, embedDim^-1/2), fc2 zero.
  const fc1 = b.normal('adapter.mlp_proj.fc1.weight', [embedDim, hidden], embedDim ** -0.5);
  const fc1Bias = b.zeros('adapter.mlp_proj.fc1.bias', [hidden]);
  const fc2 = b.zeros('adapter.mlp_proj.fc2.weight', [hidden, oldEmbedDim]);
  const fc2Bias = b.zeros('adapter.mlp_proj.fc2.bias', [oldEmbedDim]);
  return {
    ...base,
    hasOutputProjection: true,
    project<T>(ops: TensorOps<T>, embedding: T): T {
      const w = (n: string) => b.weight(ops, n);
      const h = activate(ops, ops.linear(embedding, w(fc1), w(fc1Bias)), o.activation);
      return ops.add(base.project(ops, embedding), ops.linear(h, w(fc2), w(fc2Bias)));
    },
  };
};

export const MLP_PROJECTION: AdapterVariantSpec<MlpProjectionOptions> = {
  defaults: MLP_PROJECTION_DEFAULTS,
  validate: MlpProjectionOptionsSchema,
  describe:
    "no adapter in the blocks: the output projection plus a parallel 2-layer MLP (new -> hidden -> old embedding), hidden width matched to taca-symmetric's parameter count",
};
