import { writeFileAtomic } from '@hotplug/runtime';
import type { EncoderHooks } from '../model/hooks';
import type { TextTransformer } from '../model/text';
import type { VisionTransformer } from '../model/vision';
import { OnnxRecorder } from './recorder';

export interface OnnxExportOptions {
  /** Extra hooks for the export only (installed hooks, e.g. injected adapters, are always included). */
  hooks?: readonly EncoderHooks[];
  /** Also output the pooled feature before projection as `pooled`. */
  includePooled?: boolean;
}

export interface OnnxImageExportOptions extends OnnxExportOptions {
  /** Layout of the graph's `images` input (default NHWC, as the tfjs encoder takes; NCHW for PyTorch-style runtimes). */
  inputLayout?: 'NHWC' | 'NCHW';
}

export const ONNX_IMAGE_INPUT = 'images';
export const ONNX_TEXT_INPUT = 'input_ids';
export const ONNX_OUTPUT = 'embedding';

/** Records the image encoder (with its installed hooks) as ONNX bytes: input `images` NHWC float32 [batch, H, W, C], output `embedding`. */
export function imageEncoderToOnnx(visual: VisionTransformer, options: OnnxImageExportOptions = {}): Uint8Array {
  const v = visual.config.vision;
  const rec = new OnnxRecorder();
  const layout = options.inputLayout ?? 'NHWC';
  if (layout !== 'NHWC' && layout !== 'NCHW') throw new Error(`inputLayout must be 'NHWC' or 'NCHW', got ${JSON.stringify(layout)}`);
  const images =
    layout === 'NHWC'
      ? rec.input(ONNX_IMAGE_INPUT, [-1, v.imageSize, v.imageSize, v.channels], 'float32')
      : rec.toNhwc(rec.input(ONNX_IMAGE_INPUT, [-1, v.channels, v.imageSize, v.imageSize], 'float32'));
  const out = visual.trace(rec, images, { hooks: options.hooks });
  rec.output(out.embedding, ONNX_OUTPUT);
  if (options.includePooled) rec.output(out.pooled, 'pooled');
  return rec.toBytes(`${visual.config.name}-visual`, { hotplug_kind: 'image', hotplug_config: JSON.stringify(visual.config) });
}

/** Records the text encoder as ONNX bytes: input `input_ids` int64 [batch, contextLength], output `embedding`. */
export function textEncoderToOnnx(text: TextTransformer, options: OnnxExportOptions = {}): Uint8Array {
  const t = text.config.text;
  const rec = new OnnxRecorder();
  const ids = rec.input(ONNX_TEXT_INPUT, [-1, t.contextLength], 'int64');
  const out = text.trace(rec, { ids }, { hooks: options.hooks });
  rec.output(out.embedding, ONNX_OUTPUT);
  if (options.includePooled) rec.output(out.pooled, 'pooled');
  return rec.toBytes(`${text.config.name}-text`, { hotplug_kind: 'text', hotplug_config: JSON.stringify(text.config) });
}

/** Writes the image encoder to an ONNX file (atomically). */
export function exportImageEncoder(visual: VisionTransformer, path: string, options?: OnnxImageExportOptions): void {
  writeFileAtomic(path, imageEncoderToOnnx(visual, options));
}

/** Writes the text encoder to an ONNX file (atomically). */
export function exportTextEncoder(text: TextTransformer, path: string, options?: OnnxExportOptions): void {
  writeFileAtomic(path, textEncoderToOnnx(text, options));
}
