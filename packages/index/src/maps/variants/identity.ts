import type { MapFactory, MapVariantSpec } from '../types';

/** No options: the identity carries no parameters. */
export type IdentityOptions = Record<string, never>;

export const identitySpec: MapVariantSpec<IdentityOptions> = {
  defaults: {},
  validate: (_o, shape) => (shape && shape.inputDim !== shape.outputDim ? [`identity needs equal widths, got ${shape.inputDim} -> ${shape.outputDim}`] : []),
  describe:
    'No change: declares that vectors of one space already lie in another (e.g. new model + a TaCA adapter trained into the old space); also the "no map" baseline.',
};

export const identityMap: MapFactory<IdentityOptions> = () => ({
  params: new Map(),
  fit: () => ({}),
  forward: (x) => ({ data: Float32Array.from(x.data), rows: x.rows, dim: x.dim }),
  trace: (rec, x) => rec.scale(x, 1),
});
