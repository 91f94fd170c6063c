import { OnnxRecorder, ONNX_IMAGE_INPUT, ONNX_OUTPUT } from '@hotplug/backbones';
import { writeFileAtomic } from '@hotplug/runtime';
import type { AdaptedEncoder } from './adapted-encoder';

/**
 * The adapted encoder (frozen backbone + adapter + output projection) as one ONNX graph:
 * input `images` NHWC float32 [batch, H, W, C] (normalised as for the new model), output
 * `embedding` [batch, oldEmbedDim]. Adapter variables become initializers under their own names.
 */
export function adaptedEncoderToOnnx(encoder: AdaptedEncoder): Uint8Array {
  const { config } = encoder.visual;
  const v = config.vision;
  const rec = new OnnxRecorder();
  const images = rec.input(ONNX_IMAGE_INPUT, [-1, v.imageSize, v.imageSize, v.channels], 'float32');
  rec.output(encoder.trace(rec, images), ONNX_OUTPUT);
  return rec.toBytes(`${config.name}-visual-taca`, {
    hotplug_kind: 'image',
    hotplug_config: JSON.stringify(config),
    hotplug_adapter: JSON.stringify(encoder.adapter.config),
  });
}

/** Writes the adapted encoder to an ONNX file (atomically) for onnxruntime-node. */
export function exportAdaptedEncoder(encoder: AdaptedEncoder, path: string): void {
  writeFileAtomic(path, adaptedEncoderToOnnx(encoder));
}
