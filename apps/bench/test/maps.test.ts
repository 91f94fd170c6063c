import { describe, expect, it } from 'vitest';
import { adapterVariants } from '../src/spec';
import { parseMapsSpec } from '../src/steps/maps';

describe('the "maps" section of a benchmark spec', () => {
  it('fills the fit defaults and keeps map ids out of the TaCA adapter list', () => {
    const maps = parseMapsSpec({ variants: { procrustes: { kind: 'procrustes' }, mlp: { kind: 'residual-mlp', options: { hidden: 8 } } } });
    expect(maps.fit).toEqual({ from: 'new', to: 'old', pairsPerDataset: 2000, seed: 0 });
    expect(maps.variants.procrustes!.options).toEqual({});
    const experiment = {
      name: 't',
      datasets: ['mnist'],
      seeds: [1],
      systems: [
        { id: 'old', model: 'old' },
        { id: 'a', model: 'new', adapter: 'taca-symmetric' },
        { id: 'b', model: 'new', adapter: 'procrustes' },
      ],
      comparisons: [],
    };
    expect(adapterVariants(experiment, Object.keys(maps.variants))).toEqual(['taca-symmetric']);
  });

  it('names what is wrong: unknown keys, bad values, unregistered variants', () => {
    expect(() => parseMapsSpec({ variants: { p: { kind: 'procrustes', option: {} } } })).toThrow(/option/);
    expect(() => parseMapsSpec({ fit: { pairsPerDataset: 0 }, variants: {} })).toThrow(/pairsPerDataset/);
    expect(() => parseMapsSpec({ variants: { p: { kind: 'no-such-map' } } })).toThrow(/map "p".*unknown map variant "no-such-map"/s);
    expect(() => parseMapsSpec({ variants: { p: { kind: 'low-rank', options: { rank: -1 } } } })).toThrow(/rank must be a positive integer/);
  });
});
