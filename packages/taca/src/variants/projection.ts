import { AdapterBuilder } from '../adapter';
import type { AdapterFactory } from '../registry';

/**
 * The simplest baseline: no adapter inside the blocks, only a learned affine map from the
 * new embedding to the old one (identity-initialised when the dimensions match).
 * `bottleneck`, `scale`, `activation` and `blocks` do not apply.
 */
export const projectionAdapter: AdapterFactory = (config, target) => new AdapterBuilder(config, target).build(undefined, { forceProjection: true });
