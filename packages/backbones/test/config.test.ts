import { describe, expect, it } from 'vitest';
import { clipConfigFromHf, clipConfigFromOpenClip, getConfig, listConfigs, registerConfig, resolveConfig, visionTokenCount } from '../src/index';

describe('model configs', () => {
  it('registers the embedded pair and the published CLIP shapes', () => {
    expect(listConfigs()).toEqual(expect.arrayContaining(['hotplug-old', 'hotplug-new', 'ViT-B-32', 'ViT-B-16', 'ViT-L-14']));
    const oldC = getConfig('hotplug-old');
    const newC = getConfig('hotplug-new');
    expect(visionTokenCount(oldC.vision)).toBe(17);
    expect(visionTokenCount(newC.vision)).toBe(50);
    expect([newC.vision.width, newC.vision.depth, newC.vision.heads, newC.vision.activation, newC.embedDim]).toEqual([96, 4, 4, 'gelu', 64]);
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
    expect(getConfig('hotplug-new').vision.width).toBe(96);
  });

  it('resolves partial configs over a base and validates everything at once', () => {
    const c = resolveConfig({ base: 'hotplug-new', name: 'mine', text: { vocabSize: 700 } });
    expect(c.text.vocabSize).toBe(700);
    expect(c.vision.width).toBe(96);
    let msg = '';
    try {
      resolveConfig({ base: 'hotplug-new', name: 'bad', vision: { patchSize: 5, heads: 5, activation: 'relu' as never } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/invalid model config "bad"/);
    expect(msg).toMatch(/vision.imageSize 28 is not a multiple of vision.patchSize 5/);
    expect(msg).toMatch(/vision.width 96 is not divisible by vision.heads 5/);
    expect(msg).toMatch(/vision.activation must be "gelu" or "quickgelu", got "relu"/);
    expect(() => resolveConfig({ base: 'hotplug-old', text: { eotTokenId: 5000 } })).toThrow(/text.eotTokenId 5000 must be a token id below text.vocabSize/);
    expect(() => resolveConfig({ base: 'hotplug-old', vision: { mean: [0.1, 0.2] } })).toThrow(/vision.mean must have one value per channel \(1\)/);
    expect(() => getConfig('ViT-H-99')).toThrow(/unknown model config "ViT-H-99"; registered configs: .*hotplug-old/);
    expect(() => registerConfig({ ...getConfig('hotplug-old'), embedDim: 0 })).toThrow(/embedDim must be a positive integer/);
  });
});

describe('configs that come with published weights', () => {
  // Field names and values as in openai/clip-vit-base-patch32's config.json.
  const hfB32 = {
    projection_dim: 512,
    logit_scale_init_value: 2.6592,
    text_config: {
      hidden_size: 512,
      intermediate_size: 2048,
      num_attention_heads: 8,
      num_hidden_layers: 12,
      max_position_embeddings: 77,
      vocab_size: 49408,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
      eos_token_id: 2,
    },
    vision_config: {
      hidden_size: 768,
      intermediate_size: 3072,
      num_attention_heads: 12,
      num_hidden_layers: 12,
      image_size: 224,
      patch_size: 32,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
  };
  // As in open_clip's model_configs/ViT-B-32-quickgelu.json.
  const openClipB32 = {
    embed_dim: 512,
    quick_gelu: true,
    vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 },
    text_cfg: { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 },
  };

  it('reads a Hugging Face CLIP config.json into the same graph as the registered ViT-B-32', () => {
    const c = clipConfigFromHf(hfB32, 'ViT-B-32');
    const reg = getConfig('ViT-B-32');
    expect({ ...c, logitScaleInit: 0 }).toEqual({ ...reg, logitScaleInit: 0 });
    expect(c.text.eotTokenId).toBe(49407); // legacy eos_token_id 2 means "largest id"
    expect(() => clipConfigFromHf({ projection_dim: 512 })).toThrow(/vision_config and text_config are required/);
    expect(() => clipConfigFromHf({ ...hfB32, vision_config: { ...hfB32.vision_config, hidden_act: 'relu' } })).toThrow(
      /vision_config.hidden_act "relu" is not supported/,
    );
    expect(() => clipConfigFromHf({ ...hfB32, text_config: { ...hfB32.text_config, intermediate_size: 1000 } })).toThrow(
      /not a whole multiple of hidden_size 512/,
    );
    expect(() => clipConfigFromHf({ ...hfB32, vision_config: { ...hfB32.vision_config, patch_size: '32' } })).toThrow(
      /vision_config.patch_size is missing or not a number/,
    );
  });

  it("takes transformers' CLIPConfig defaults for fields a config leaves out (they describe OpenAI's ViT-B/32)", () => {
    // Recent save_pretrained writes only the fields that differ from the defaults.
    expect({ ...clipConfigFromHf({ vision_config: {}, text_config: {} }, 'ViT-B-32'), logitScaleInit: 0 }).toEqual({
      ...getConfig('ViT-B-32'),
      logitScaleInit: 0,
    });
    expect(clipConfigFromHf({ vision_config: { patch_size: 16 }, text_config: {} }).vision.patchSize).toBe(16);
  });

  it('reads an open_clip model config (heads from a head width of 64)', () => {
    const c = clipConfigFromOpenClip(openClipB32, 'ViT-B-32');
    expect(c.vision.heads).toBe(12);
    expect({ ...c }).toEqual({ ...getConfig('ViT-B-32') });
    expect(clipConfigFromOpenClip({ ...openClipB32, quick_gelu: false }).vision.activation).toBe('gelu');
    expect(() => clipConfigFromOpenClip({ embed_dim: 512 })).toThrow(/vision_cfg and text_cfg are required/);
  });
});
