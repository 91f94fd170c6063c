// Writers for Hugging Face and open_clip model folders, independent of the package's readers:
// safetensors bytes assembled by hand, weight names and PyTorch layouts (Linear [out, in],
// Conv2d OIHW, open_clip's fused in_proj) written from the format descriptions, not from
// src/weights/layouts.ts. They turn a hotplug model into the folders other tools produce.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clip } from '../src/index';
import { FIXTURES } from './helpers';

export interface RawTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** safetensors: u64 little-endian header length, JSON header (padded with spaces), raw little-endian F32 data. */
export function writeRawSafetensors(path: string, tensors: RawTensor[]): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const buf = Buffer.alloc(8 + json.length + offset);
  buf.writeBigUInt64LE(BigInt(json.length), 0);
  buf.write(json, 8, 'utf8');
  let at = 8 + json.length;
  for (const t of tensors) for (let i = 0; i < t.data.length; i++, at += 4) buf.writeFloatLE(t.data[i]!, at);
  writeFileSync(path, buf);
}

function value(clip: Clip, name: string): { shape: number[]; data: Float32Array } {
  const v = clip.namedWeights().get(name);
  if (!v) throw new Error(`no variable ${name}`);
  return { shape: [...v.shape], data: v.dataSync() as Float32Array };
}

/** [rows, cols] -> [cols, rows]: this package's Linear [in, out] to PyTorch's [out, in] (and back). */
function t2(rows: number, cols: number, d: Float32Array): Float32Array {
  const out = new Float32Array(d.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = d[r * cols + c]!;
  return out;
}

/** A PyTorch Linear weight [out, in] from a variable [in, out]. */
function torchLinear(clip: Clip, name: string): { shape: number[]; data: Float32Array } {
  const { shape, data } = value(clip, name);
  return { shape: [shape[1]!, shape[0]!], data: t2(shape[0]!, shape[1]!, data) };
}

/** The patch filter [kh, kw, in, out] as a PyTorch Conv2d weight [out, in, kh, kw]. */
function torchConv(clip: Clip, name: string): { shape: number[]; data: Float32Array } {
  const { shape, data } = value(clip, name);
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o]!;
  return { shape: [co, ci, kh, kw], data: out };
}

function concat(parts: { shape: number[]; data: Float32Array }[]): { shape: number[]; data: Float32Array } {
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [parts.reduce((n, p) => n + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)], data };
}

/** model.safetensors as transformers' CLIPModel names it. */
export function hfTensors(clip: Clip): RawTensor[] {
  const out: RawTensor[] = [];
  const put = (name: string, t: { shape: number[]; data: Float32Array }) => out.push({ name, ...t });
  const ln = (src: string, dst: string) => {
    put(`${dst}.weight`, value(clip, `${src}.gamma`));
    put(`${dst}.bias`, value(clip, `${src}.beta`));
  };
  put('vision_model.embeddings.class_embedding', value(clip, 'visual.class_token'));
  put('vision_model.embeddings.patch_embedding.weight', torchConv(clip, 'visual.patch_embed.weight'));
  put('vision_model.embeddings.position_embedding.weight', value(clip, 'visual.pos_embed'));
  ln('visual.ln_pre', 'vision_model.pre_layrnorm'); // sic: transformers' spelling
  ln('visual.ln_post', 'vision_model.post_layernorm');
  put('visual_projection.weight', torchLinear(clip, 'visual.proj.weight'));
  put('text_model.embeddings.token_embedding.weight', value(clip, 'text.token_embedding'));
  put('text_model.embeddings.position_embedding.weight', value(clip, 'text.pos_embed'));
  ln('text.ln_final', 'text_model.final_layer_norm');
  put('text_projection.weight', torchLinear(clip, 'text.proj.weight'));
  put('logit_scale', value(clip, 'logit_scale'));
  const tower = (src: string, dst: string, depth: number) => {
    for (let i = 0; i < depth; i++) {
      const s = `${src}.blocks.${i}`;
      const d = `${dst}.encoder.layers.${i}`;
      ln(`${s}.ln1`, `${d}.layer_norm1`);
      ln(`${s}.ln2`, `${d}.layer_norm2`);
      for (const [ours, theirs] of [
        ['attn.q', 'self_attn.q_proj'],
        ['attn.k', 'self_attn.k_proj'],
        ['attn.v', 'self_attn.v_proj'],
        ['attn.out', 'self_attn.out_proj'],
        ['mlp.fc1', 'mlp.fc1'],
        ['mlp.fc2', 'mlp.fc2'],
      ]) {
        put(`${d}.${theirs}.weight`, torchLinear(clip, `${s}.${ours}.weight`));
        put(`${d}.${theirs}.bias`, value(clip, `${s}.${ours}.bias`));
      }
    }
  };
  tower('visual', 'vision_model', clip.config.vision.depth);
  tower('text', 'text_model', clip.config.text.depth);
  // transformers keeps this buffer in older checkpoints; readers must skip it.
  out.push({
    name: 'text_model.embeddings.position_ids',
    shape: [1, clip.config.text.contextLength],
    data: Float32Array.from({ length: clip.config.text.contextLength }, (_, i) => i),
  });
  return out;
}

/** The open_clip / OpenAI CLIP state dict: fused attention in_proj, projections stored [width, embed]. */
export function openClipTensors(clip: Clip): RawTensor[] {
  const out: RawTensor[] = [];
  const put = (name: string, t: { shape: number[]; data: Float32Array }) => out.push({ name, ...t });
  const ln = (src: string, dst: string) => {
    put(`${dst}.weight`, value(clip, `${src}.gamma`));
    put(`${dst}.bias`, value(clip, `${src}.beta`));
  };
  put('visual.class_embedding', value(clip, 'visual.class_token'));
  put('visual.conv1.weight', torchConv(clip, 'visual.patch_embed.weight'));
  put('visual.positional_embedding', value(clip, 'visual.pos_embed'));
  ln('visual.ln_pre', 'visual.ln_pre');
  ln('visual.ln_post', 'visual.ln_post');
  put('visual.proj', value(clip, 'visual.proj.weight'));
  put('token_embedding.weight', value(clip, 'text.token_embedding'));
  put('positional_embedding', value(clip, 'text.pos_embed'));
  ln('text.ln_final', 'ln_final');
  put('text_projection', value(clip, 'text.proj.weight'));
  put('logit_scale', value(clip, 'logit_scale'));
  const tower = (src: string, dst: string, depth: number) => {
    for (let i = 0; i < depth; i++) {
      const s = `${src}.blocks.${i}`;
      const d = `${dst}.resblocks.${i}`;
      ln(`${s}.ln1`, `${d}.ln_1`);
      ln(`${s}.ln2`, `${d}.ln_2`);
      put(`${d}.attn.in_proj_weight`, concat(['q', 'k', 'v'].map((n) => torchLinear(clip, `${s}.attn.${n}.weight`))));
      put(`${d}.attn.in_proj_bias`, concat(['q', 'k', 'v'].map((n) => value(clip, `${s}.attn.${n}.bias`))));
      for (const [ours, theirs] of [
        ['attn.out', 'attn.out_proj'],
        ['mlp.fc1', 'mlp.c_fc'],
        ['mlp.fc2', 'mlp.c_proj'],
      ]) {
        put(`${d}.${theirs}.weight`, torchLinear(clip, `${s}.${ours}.weight`));
        put(`${d}.${theirs}.bias`, value(clip, `${s}.${ours}.bias`));
      }
    }
  };
  tower('visual', 'visual.transformer', clip.config.vision.depth);
  tower('text', 'transformer', clip.config.text.depth);
  return out;
}

const act = (a: string) => (a === 'quickgelu' ? 'quick_gelu' : 'gelu');

/** config.json as transformers writes it for CLIPModel. */
export function hfConfigJson(clip: Clip, eosTokenId: number): Record<string, unknown> {
  const { vision: v, text: t } = clip.config;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: clip.config.embedDim,
    logit_scale_init_value: clip.config.logitScaleInit,
    text_config: {
      hidden_size: t.width,
      intermediate_size: t.width * t.mlpRatio,
      num_attention_heads: t.heads,
      num_hidden_layers: t.depth,
      max_position_embeddings: t.contextLength,
      vocab_size: t.vocabSize,
      hidden_act: act(t.activation),
      layer_norm_eps: clip.config.layerNormEpsilon,
      eos_token_id: eosTokenId,
    },
    vision_config: {
      hidden_size: v.width,
      intermediate_size: v.width * v.mlpRatio,
      num_attention_heads: v.heads,
      num_hidden_layers: v.depth,
      image_size: v.imageSize,
      patch_size: v.patchSize,
      num_channels: v.channels,
      hidden_act: act(v.activation),
      layer_norm_eps: clip.config.layerNormEpsilon,
    },
  };
}

/** Writes a complete Hugging Face CLIP folder for `clip` (tokenizer: the CLIP-like fixture). */
export function writeHfFolder(clip: Clip, dir: string, preprocessor: Record<string, unknown>, eosTokenId = clip.config.text.eotTokenId): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfigJson(clip, eosTokenId)));
  writeRawSafetensors(join(dir, 'model.safetensors'), hfTensors(clip));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(preprocessor));
  copyFileSync(join(FIXTURES, 'clip-like-tokenizer.json'), join(dir, 'tokenizer.json'));
  return dir;
}

/** Writes an open_clip folder (open_clip_config.json + `weightsName`) for `clip`, whose towers share one activation. */
export function writeOpenClipFolder(clip: Clip, dir: string, preprocess: Record<string, unknown>, weightsName = 'open_clip_model.safetensors'): string {
  const { vision: v, text: t } = clip.config;
  mkdirSync(dir, { recursive: true });
  const modelCfg = {
    embed_dim: clip.config.embedDim,
    quick_gelu: v.activation === 'quickgelu',
    vision_cfg: { image_size: v.imageSize, layers: v.depth, width: v.width, head_width: v.width / v.heads, patch_size: v.patchSize, mlp_ratio: v.mlpRatio },
    text_cfg: { context_length: t.contextLength, vocab_size: t.vocabSize, width: t.width, heads: t.heads, layers: t.depth, mlp_ratio: t.mlpRatio },
  };
  writeFileSync(join(dir, 'open_clip_config.json'), JSON.stringify({ model_cfg: modelCfg, preprocess_cfg: preprocess }));
  writeRawSafetensors(join(dir, weightsName), openClipTensors(clip));
  copyFileSync(join(FIXTURES, 'clip-like-tokenizer.json'), join(dir, 'tokenizer.json'));
  return dir;
}
