import { describe, expect, it } from 'vitest';
import { getConfig, listConfigs, registerConfig, resolveConfig, visionTokenCount } from '../src/index';

describe('model configs', () => {
  it('registers the embedded pair and the published CLIP shapes', () => {
    expect(listConfigs()).toEqual(expect.arrayContaining(['hotplug-old', 'hotplug-new', 'ViT-B-32', 'ViT-B-16', 'ViT-L-14']));
    const oldC = getConfig('hotplug-old');
    const newC = getConfig('hotplug-new');
    expect(visionTokenCount(oldC.vision)).toBe(17);
    expect(visionTokenCount(newC.vision)).toBe(50);
    expect([newC.vision.width, newC.vision.depth, newC.vision.heads, newC.vision.activation, newC.embedDim]).toEqual([128, 6, 4, 'gelu', 96]);
    expect([oldC.vision.width, oldC.vision.depth, oldC.vision.activation, oldC.embedDim]).toEqual([64, 3, 'quickgelu', 64]);
    expect(oldC.text.width).toBe(newC.text.width); // prompt vectors move between the two
    expect([oldC.text.depth, newC.text.depth, oldC.text.contextLength]).toEqual([2, 3, 16]);
    expect(oldC.vision.channels).toBe(1);
    const l14 = getConfig('ViT-L/14');
    expect([l14.vision.width, l14.vision.depth, l14.vision.heads, l14.vision.patchSize, l14.embedDim, l14.text.width]).toEqual([1024, 24, 16, 14, 768, 768]);
    expect(visionTokenCount(getConfig('ViT-B/16').vision)).toBe(197);
    expect(visionTokenCount(getConfig('ViT-B/32').vision)).toBe(50);
  });

  it('returns copies, so callers cannot change the registry', () => {
    const c = getConfig('hotplug-new');
    c.vision.width = 1;
    expect(getConfig('hotplug-new').vision.width).toBe(128);
  });

  it('resolves partial configs over a base and validates everything at once', () => {
    const c = resolveConfig({ base: 'hotplug-new', name: 'mine', text: { vocabSize: 700 } });
    expect(c.text.vocabSize).toBe(700);
    expect(c.vision.width).toBe(128);
    let msg = '';
    try {
      resolveConfig({ base: 'hotplug-new', name: 'bad', vision: { patchSize: 5, heads: 3, activation: 'relu' as never } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/invalid model config "bad"/);
    expect(msg).toMatch(/vision.imageSize 28 is not a multiple of vision.patchSize 5/);
    expect(msg).toMatch(/vision.width 128 is not divisible by vision.heads 3/);
    expect(msg).toMatch(/vision.activation must be "gelu" or "quickgelu", got "relu"/);
    expect(() => resolveConfig({ base: 'hotplug-old', text: { eotTokenId: 5000 } })).toThrow(/text.eotTokenId 5000 must be a token id below text.vocabSize/);
    expect(() => resolveConfig({ base: 'hotplug-old', vision: { mean: [0.1, 0.2] } })).toThrow(/vision.mean must have one value per channel \(1\)/);
    expect(() => getConfig('ViT-H-99')).toThrow(/unknown model config "ViT-H-99"; registered configs: .*hotplug-old/);
    expect(() => registerConfig({ ...getConfig('hotplug-old'), embedDim: 0 })).toThrow(/embedDim must be a positive integer/);
  });
});
