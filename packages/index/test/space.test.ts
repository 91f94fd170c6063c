import { describe, expect, it } from 'vitest';
import { checkSpace, describeSpace, extendSpace, IndexInputError, sameSpace, spaceKey, type EmbeddingSpace } from '../src/index';

const old: EmbeddingSpace = { model: 'aaaa1111bbbb2222', modelName: 'old', dim: 64, normalized: true, adapters: [] };

describe('embedding spaces', () => {
  it('are identified by model, width, normalisation and adapter chain, not by name', () => {
    expect(sameSpace(old, { ...old, modelName: 'renamed' })).toBe(true);
    expect(sameSpace(old, { ...old, dim: 32 })).toBe(false);
    expect(sameSpace(old, { ...old, normalized: false })).toBe(false);
    expect(sameSpace(old, { ...old, model: 'cccc' })).toBe(false);
    expect(sameSpace(old, { ...old, adapters: ['procrustes:0123'] })).toBe(false);
    expect(spaceKey(old)).toBe('aaaa1111bbbb2222|64|l2');
  });

  it('extends the adapter chain in order', () => {
    const a = extendSpace(extendSpace(old, 'taca-symmetric:01', 64), 'procrustes:02', 32);
    expect(a.adapters).toEqual(['taca-symmetric:01', 'procrustes:02']);
    expect(a.dim).toBe(32);
    expect(describeSpace(a)).toContain('taca-symmetric:01 -> procrustes:02');
  });

  it('rejects malformed spaces with every problem named', () => {
    expect(() => checkSpace({ model: '', dim: 0, normalized: 'yes', adapters: [''] } as unknown as EmbeddingSpace)).toThrow(IndexInputError);
    try {
      checkSpace({ model: '', dim: 1.5, normalized: true, adapters: [] });
    } catch (err) {
      expect((err as Error).message).toMatch(/model must be/);
      expect((err as Error).message).toMatch(/dim must be a positive integer/);
    }
  });
});
