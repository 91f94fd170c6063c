import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors, type VisionTransformer } from '@hotplug/backbones';
import { writeJsonAtomic } from '@hotplug/runtime';
import { adapterTarget, type Adapter, type AdapterTarget } from './adapter';
import type { AdapterConfig } from './config';
import { createAdapter } from './registry';

export const ADAPTER_WEIGHTS_FILE = 'adapter.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter.json';
const FORMAT = 'hotplug-taca-adapter';

interface AdapterManifest {
  format: typeof FORMAT;
  version: 1;
  config: AdapterConfig;
  target: AdapterTarget;
  parameters: number;
}

/** Saves the adapter alone (never the backbone): adapter.safetensors + adapter.json, both atomic. */
export function saveAdapter(adapter: Adapter, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(
    join(dir, ADAPTER_WEIGHTS_FILE),
    [...adapter.params].map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array })),
    { format: FORMAT, variant: adapter.config.variant },
  );
  const manifest: AdapterManifest = { format: FORMAT, version: 1, config: adapter.config, target: adapter.target, parameters: adapter.parameterCount() };
  writeJsonAtomic(join(dir, ADAPTER_CONFIG_FILE), manifest);
}

function readManifest(dir: string): AdapterManifest {
  const path = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(path)) throw new Error(`${dir} holds no saved adapter: ${ADAPTER_CONFIG_FILE} is missing (save one with saveAdapter)`);
  let manifest: AdapterManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as AdapterManifest;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); save the adapter again`);
  }
  if (manifest?.format !== FORMAT || !manifest.config || !manifest.target) throw new Error(`${path} is not a hotplug TaCA adapter manifest (format "${manifest?.format}")`);
  return manifest;
}

/** The config and target a saved adapter was built with. */
export function readAdapterManifest(dir: string): { config: AdapterConfig; target: AdapterTarget; parameters: number } {
  const { config, target, parameters } = readManifest(dir);
  return { config, target, parameters };
}

/**
 * Rebuilds a saved adapter and fills in its weights. With `visual`, checks that the adapter
 * fits that encoder (width, depth, embedding dimension). Every variable is checked for
 * presence and shape before any value is assigned.
 */
export function loadAdapter(dir: string, visual?: VisionTransformer): Adapter {
  const manifest = readManifest(dir);
  if (visual) {
    const want = adapterTarget(visual, manifest.target.oldEmbedDim);
    const t = manifest.target;
    if (want.width !== t.width || want.depth !== t.depth || want.embedDim !== t.embedDim)
      throw new Error(`the adapter in ${dir} was trained for an encoder of width ${t.width}, depth ${t.depth}, embedding ${t.embedDim}; "${visual.config.name}" has width ${want.width}, depth ${want.depth}, embedding ${want.embedDim}`);
  }
  const adapter = createAdapter(manifest.config, manifest.target);
  const reader = SafetensorsReader.open(join(dir, ADAPTER_WEIGHTS_FILE));
  try {
    const problems: string[] = [];
    for (const [name, v] of adapter.params) {
      const entry = reader.entries.get(name);
      if (!entry) problems.push(`missing tensor "${name}"`);
      else if (entry.shape.join(',') !== v.shape.join(',')) problems.push(`"${name}" has shape [${entry.shape}] but the adapter needs [${v.shape}]`);
    }
    for (const name of reader.entries.keys()) if (!adapter.params.has(name)) problems.push(`unexpected tensor "${name}"`);
    if (problems.length) throw new Error(`${join(dir, ADAPTER_WEIGHTS_FILE)} does not match its ${ADAPTER_CONFIG_FILE}:\n  - ${problems.join('\n  - ')}`);
    for (const [name, v] of adapter.params) {
      const value = tf.tensor(reader.readFloat32(name), v.shape, 'float32');
      v.assign(value);
      value.dispose();
    }
  } catch (err) {
    adapter.dispose();
    throw err;
  } finally {
    reader.close();
  }
  return adapter;
}
