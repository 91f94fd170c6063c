import { OnnxRecorder } from '@hotplug/backbones';
import { writeFileAtomic } from '@hotplug/runtime';
import type { SpaceMap } from './types';

export const MAP_ONNX_INPUT = 'embedding';
export const MAP_ONNX_OUTPUT = 'mapped';

/** The map as one ONNX graph: input `embedding` [batch, inputDim] float32 -> output `mapped` [batch, outputDim]. */
export function mapToOnnx(map: SpaceMap): Uint8Array {
  const rec = new OnnxRecorder();
  const x = rec.input(MAP_ONNX_INPUT, [-1, map.shape.inputDim], 'float32');
  rec.output(map.trace(rec, x), MAP_ONNX_OUTPUT);
  return rec.toBytes(`space-map-${map.kind}`, {
    hotplug_kind: 'space-map',
    hotplug_map: map.kind,
    hotplug_fingerprint: map.fingerprint,
    hotplug_from: JSON.stringify(map.from),
    hotplug_to: JSON.stringify(map.to),
  });
}

/** Writes mapToOnnx(map) to `path` atomically. */
export function exportMap(map: SpaceMap, path: string): void {
  writeFileAtomic(path, mapToOnnx(map));
}
