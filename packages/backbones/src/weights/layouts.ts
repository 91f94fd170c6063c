import { visionTokenCount, type ClipConfig } from '../config';

/** One tensor of a checkpoint and the model variables it fills. */
export interface LayoutRule {
  source: string;
  sourceShape: number[];
  targets: { name: string; convert: (data: Float32Array) => Float32Array }[];
}

export interface WeightLayout {
  name: LayoutName;
  /** Checkpoint tensors that are known buffers, not weights (skipped without complaint). */
  ignore: RegExp;
  rules(config: ClipConfig): LayoutRule[];
}

export type LayoutName = 'hotplug' | 'hf' | 'open_clip';

const same = (d: Float32Array) => d;

/** [rows, cols] row-major -> [cols, rows]: PyTorch Linear [out, in] to the [in, out] used here. */
export function transpose2d(rows: number, cols: number): (d: Float32Array) => Float32Array {
  return (d) => {
    const out = new Float32Array(d.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = d[r * cols + c]!;
    return out;
  };
}

/** Conv weight [out, in, kh, kw] (PyTorch) -> [kh, kw, in, out] (tfjs). */
function convToHwio(o: number, i: number, kh: number, kw: number): (d: Float32Array) => Float32Array {
  return (d) => {
    const out = new Float32Array(d.length);
    for (let a = 0; a < o; a++)
      for (let b = 0; b < i; b++)
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = d[((a * i + b) * kh + y) * kw + x]!;
    return out;
  };
}

/** Rows [from, from+count) of a row-major [*, cols] tensor. */
function rows(from: number, count: number, cols: number, then: (d: Float32Array) => Float32Array = same) {
  return (d: Float32Array) => then(d.slice(from * cols, (from + count) * cols));
}

function linear(source: string, target: string, inDim: number, outDim: number): LayoutRule[] {
  return [
    { source: `${source}.weight`, sourceShape: [outDim, inDim], targets: [{ name: `${target}.weight`, convert: transpose2d(outDim, inDim) }] },
    { source: `${source}.bias`, sourceShape: [outDim], targets: [{ name: `${target}.bias`, convert: same }] },
  ];
}

function norm(source: string, target: string, width: number): LayoutRule[] {
  return [
    { source: `${source}.weight`, sourceShape: [width], targets: [{ name: `${target}.gamma`, convert: same }] },
    { source: `${source}.bias`, sourceShape: [width], targets: [{ name: `${target}.beta`, convert: same }] },
  ];
}

const one = (source: string, shape: number[], target: string, convert: (d: Float32Array) => Float32Array = same): LayoutRule => ({
  source,
  sourceShape: shape,
  targets: [{ name: target, convert }],
});

/** Hugging Face transformers CLIPModel (`vision_model.encoder.layers.N...`). */
export const hfLayout: WeightLayout = {
  name: 'hf',
  ignore: /(^|\.)position_ids$/,
  rules(config) {
    const v = config.vision;
    const t = config.text;
    const out: LayoutRule[] = [];
    const block = (src: string, dst: string, width: number, hidden: number) => {
      out.push(...norm(`${src}.layer_norm1`, `${dst}.ln1`, width), ...norm(`${src}.layer_norm2`, `${dst}.ln2`, width));
      for (const [h, o] of [
        ['q_proj', 'q'],
        ['k_proj', 'k'],
        ['v_proj', 'v'],
        ['out_proj', 'out'],
      ])
        out.push(...linear(`${src}.self_attn.${h}`, `${dst}.attn.${o}`, width, width));
      out.push(...linear(`${src}.mlp.fc1`, `${dst}.mlp.fc1`, width, hidden), ...linear(`${src}.mlp.fc2`, `${dst}.mlp.fc2`, hidden, width));
    };
    out.push(
      one('vision_model.embeddings.class_embedding', [v.width], 'visual.class_token'),
      one(
        'vision_model.embeddings.patch_embedding.weight',
        [v.width, v.channels, v.patchSize, v.patchSize],
        'visual.patch_embed.weight',
        convToHwio(v.width, v.channels, v.patchSize, v.patchSize),
      ),
      one('vision_model.embeddings.position_embedding.weight', [visionTokenCount(v), v.width], 'visual.pos_embed'),
      ...norm('vision_model.pre_layrnorm', 'visual.ln_pre', v.width),
      ...norm('vision_model.post_layernorm', 'visual.ln_post', v.width),
      one('visual_projection.weight', [config.embedDim, v.width], 'visual.proj.weight', transpose2d(config.embedDim, v.width)),
      one('text_model.embeddings.token_embedding.weight', [t.vocabSize, t.width], 'text.token_embedding'),
      one('text_model.embeddings.position_embedding.weight', [t.contextLength, t.width], 'text.pos_embed'),
      ...norm('text_model.final_layer_norm', 'text.ln_final', t.width),
      one('text_projection.weight', [config.embedDim, t.width], 'text.proj.weight', transpose2d(config.embedDim, t.width)),
      one('logit_scale', [], 'logit_scale'),
    );
    for (let i = 0; i < v.depth; i++) block(`vision_model.encoder.layers.${i}`, `visual.blocks.${i}`, v.width, v.width * v.mlpRatio);
    for (let i = 0; i < t.depth; i++) block(`text_model.encoder.layers.${i}`, `text.blocks.${i}`, t.width, t.width * t.mlpRatio);
    return out;
  },
};

/** open_clip / OpenAI CLIP state dict (`visual.transformer.resblocks.N...`, fused in_proj). */
export const openClipLayout: WeightLayout = {
  name: 'open_clip',
  // attn_mask: a buffer in older open_clip files; the three scalars: OpenAI's original state dict.
  ignore: /(^|\.)attn_mask$|^(input_resolution|context_length|vocab_size)$/,
  rules(config) {
    const v = config.vision;
    const t = config.text;
    const out: LayoutRule[] = [];
    const block = (src: string, dst: string, w: number, hidden: number) => {
      out.push(...norm(`${src}.ln_1`, `${dst}.ln1`, w), ...norm(`${src}.ln_2`, `${dst}.ln2`, w));
      const names = ['q', 'k', 'v'];
      out.push({
        source: `${src}.attn.in_proj_weight`,
        sourceShape: [3 * w, w],
        targets: names.map((n, j) => ({ name: `${dst}.attn.${n}.weight`, convert: rows(j * w, w, w, transpose2d(w, w)) })),
      });
      out.push({
        source: `${src}.attn.in_proj_bias`,
        sourceShape: [3 * w],
        targets: names.map((n, j) => ({ name: `${dst}.attn.${n}.bias`, convert: rows(j * w, w, 1) })),
      });
      out.push(
        ...linear(`${src}.attn.out_proj`, `${dst}.attn.out`, w, w),
        ...linear(`${src}.mlp.c_fc`, `${dst}.mlp.fc1`, w, hidden),
        ...linear(`${src}.mlp.c_proj`, `${dst}.mlp.fc2`, hidden, w),
      );
    };
    out.push(
      one('visual.class_embedding', [v.width], 'visual.class_token'),
      one(
        'visual.conv1.weight',
        [v.width, v.channels, v.patchSize, v.patchSize],
        'visual.patch_embed.weight',
        convToHwio(v.width, v.channels, v.patchSize, v.patchSize),
      ),
      one('visual.positional_embedding', [visionTokenCount(v), v.width], 'visual.pos_embed'),
      ...norm('visual.ln_pre', 'visual.ln_pre', v.width),
      ...norm('visual.ln_post', 'visual.ln_post', v.width),
      one('visual.proj', [v.width, config.embedDim], 'visual.proj.weight'),
      one('token_embedding.weight', [t.vocabSize, t.width], 'text.token_embedding'),
      one('positional_embedding', [t.contextLength, t.width], 'text.pos_embed'),
      ...norm('ln_final', 'text.ln_final', t.width),
      one('text_projection', [t.width, config.embedDim], 'text.proj.weight'),
      one('logit_scale', [], 'logit_scale'),
    );
    for (let i = 0; i < v.depth; i++) block(`visual.transformer.resblocks.${i}`, `visual.blocks.${i}`, v.width, v.width * v.mlpRatio);
    for (let i = 0; i < t.depth; i++) block(`transformer.resblocks.${i}`, `text.blocks.${i}`, t.width, t.width * t.mlpRatio);
    return out;
  },
};

/** This project's own checkpoints: variable names and shapes as the model holds them. */
export function hotplugLayout(shapes: Map<string, readonly number[]>): WeightLayout {
  return {
    name: 'hotplug',
    ignore: /^$/,
    rules: () => [...shapes].map(([name, shape]) => one(name, [...shape], name)),
  };
}

/** Guesses the layout from tensor names. */
export function detectLayout(names: readonly string[]): LayoutName | undefined {
  const has = (n: string) => names.includes(n);
  if (has('visual.patch_embed.weight') || has('text.token_embedding')) return 'hotplug';
  if (names.some((n) => n.startsWith('vision_model.') || n.startsWith('text_model.'))) return 'hf';
  if (has('visual.conv1.weight') || has('token_embedding.weight')) return 'open_clip';
  return undefined;
}
