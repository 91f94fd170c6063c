import { AdapterBuilder } from '../adapter';
import type { AdapterFactory, AdapterVariantSpec } from '../registry';

/**
 * The simplest baseline: no adapter inside the blocks, only a learned affine map from the
 * new embedding to the old one (identity-initialised when the dimensions match). No options;
 * `blocks` does not apply.
 */
export const projectionAdapter: AdapterFactory<Record<string, never>> = (config, target) =>
  new AdapterBuilder(config, target).build(undefined, { forceProjection: true });

export const PROJECTION: AdapterVariantSpec<Record<string, never>> = {
  defaults: {},
  describe: 'no adapter in the blocks: a learned affine map from the new embedding to the old one',
};
