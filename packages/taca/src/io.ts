import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors, type VisionTransformer } from '@hotplug/backbones';
import { z } from 'zod';
import { InputError, checkIdentity, parseJson, validate, weightsFingerprint, writeJsonAtomic, type ModelIdentity } from '@hotplug/runtime';
import { adapterTarget, type Adapter, type AdapterTarget } from './adapter';
import type { AdapterConfig } from './config';
import { createAdapter } from './registry';

export const ADAPTER_WEIGHTS_FILE = 'adapter.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter.json';
const FORMAT = 'hotplug-taca-adapter';

/** Limits a manifest's declared sizes are checked against before anything is allocated. */
export const ADAPTER_LIMITS = { width: 1 << 16, depth: 1024, embedDim: 1 << 16, bottleneck: 1 << 16, parameters: 2_000_000_000 };

const dim = (max: number) => z.number().int().positive().max(max);
const identity = z.strictObject({ fingerprint: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits (weightsFingerprint)'), name: z.string().max(200).optional() });

const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  config: z.strictObject({
    variant: z.string().min(1).max(100),
    bottleneck: dim(ADAPTER_LIMITS.bottleneck),
    scale: z.number().finite(),
    blocks: z.array(z.number().int().nonnegative().max(ADAPTER_LIMITS.depth - 1)).max(ADAPTER_LIMITS.depth).optional(),
    activation: z.enum(['relu', 'gelu', 'quickgelu']),
    loraTargets: z.array(z.enum(['q', 'k', 'v', 'out'])).min(1).max(4),
    outputProjection: z.enum(['auto', 'always', 'never']),
    seed: z.number().int(),
  }),
  target: z.strictObject({ width: dim(ADAPTER_LIMITS.width), depth: dim(ADAPTER_LIMITS.depth), embedDim: dim(ADAPTER_LIMITS.embedDim), oldEmbedDim: dim(ADAPTER_LIMITS.embedDim) }),
  parameters: z.number().int().nonnegative().max(ADAPTER_LIMITS.parameters),
  /**
   * The models the adapter was trained with: the new encoder it plugs into, and the old
   * encoder whose embedding space its output lands in. Absent in adapters saved before
   * fingerprints were recorded (accepted with a warning).
   */
  trainedOn: z.strictObject({ model: identity, outputSpace: identity }).optional(),
});
type AdapterManifest = z.infer<typeof ManifestSchema>;

/** Which models an adapter was trained with (see AdapterManifest.trainedOn). */
export interface AdapterIdentity {
  /** The new encoder the adapter is inserted into. */
  model: ModelIdentity;
  /** The old encoder whose embedding space the adapted output lands in (what old heads and indexes were built on). */
  outputSpace: ModelIdentity;
}

/** Identity of an encoder's weights, for AdapterIdentity and for comparing spaces. */
export function encoderIdentity(visual: VisionTransformer): ModelIdentity {
  return { fingerprint: weightsFingerprint(visual.namedWeights()), name: visual.config.name };
}

/** A saved adapter folder that does not hold a valid adapter. */
export class AdapterManifestError extends InputError {
  override name = 'AdapterManifestError';
}

/**
 * Saves the adapter alone (never the backbone): adapter.safetensors + adapter.json, both atomic.
 * `trainedOn` records the models it was trained with, so loading it elsewhere is refused.
 */
export function saveAdapter(adapter: Adapter, dir: string, trainedOn?: AdapterIdentity): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(
    join(dir, ADAPTER_WEIGHTS_FILE),
    [...adapter.params].map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array })),
    { format: FORMAT, variant: adapter.config.variant },
  );
  const config = Object.fromEntries(Object.entries(adapter.config).filter(([, v]) => v !== undefined)) as AdapterConfig;
  const manifest: AdapterManifest = { format: FORMAT, version: 1, config, target: adapter.target, parameters: adapter.parameterCount(), ...(trainedOn ? { trainedOn } : {}) };
  writeJsonAtomic(join(dir, ADAPTER_CONFIG_FILE), manifest);
}

const FIX = 'save the adapter again (saveAdapter / hotplug-taca train)';

function readManifest(dir: string): AdapterManifest {
  const path = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(path)) throw new AdapterManifestError(`${dir} holds no saved adapter: ${ADAPTER_CONFIG_FILE} is missing (save one with saveAdapter)`, path);
  const manifest = validate(ManifestSchema, parseJson(readFileSync(path, 'utf8'), path, FIX, AdapterManifestError), path, FIX, AdapterManifestError);
  const t = manifest.target;
  if (manifest.config.blocks?.some((b) => b >= t.depth))
    throw new AdapterManifestError(`${path}: config.blocks ${JSON.stringify(manifest.config.blocks)} name blocks past the target's depth ${t.depth}; ${FIX}`, path, 'config.blocks');
  // Generous bound on what any variant builds: per block a few width x bottleneck matrices and biases, plus a projection.
  const bound = t.depth * 16 * t.width * (manifest.config.bottleneck + 1) + (t.embedDim + 1) * t.oldEmbedDim;
  if (manifest.parameters > bound)
    throw new AdapterManifestError(`${path}: parameters ${manifest.parameters} is more than an adapter of this target can hold (${bound}); ${FIX}`, path, 'parameters');
  return manifest;
}

/** The config, target and identity a saved adapter was built with (schema-checked). */
export function readAdapterManifest(dir: string): { config: AdapterConfig; target: AdapterTarget; parameters: number; trainedOn?: AdapterIdentity } {
  const { config, target, parameters, trainedOn } = readManifest(dir);
  return { config, target, parameters, ...(trainedOn ? { trainedOn } : {}) };
}

export interface LoadAdapterOptions {
  /** The old encoder (or its identity) the adapted output is meant to match; checked against trainedOn.outputSpace. */
  outputSpace?: ModelIdentity;
  /** Load into a model other than the one it was trained on (a warning instead of an IdentityMismatchError). */
  force?: boolean;
  warn?: (message: string) => void;
}

/**
 * Rebuilds a saved adapter and fills in its weights. With `visual`, checks that the adapter
 * fits that encoder (width, depth, embedding dimension) and was trained on it (fingerprint;
 * IdentityMismatchError naming both unless `force`). Every variable is checked for presence
 * and shape before any value is assigned.
 */
export function loadAdapter(dir: string, visual?: VisionTransformer, options: LoadAdapterOptions = {}): Adapter {
  const manifest = readManifest(dir);
  const source = join(dir, ADAPTER_CONFIG_FILE);
  const check = { force: options.force, warn: options.warn };
  if (visual) checkIdentity('the adapter', source, manifest.trainedOn?.model, encoderIdentity(visual), { ...check, role: 'encoder' });
  if (options.outputSpace) checkIdentity('the adapter', source, manifest.trainedOn?.outputSpace, options.outputSpace, { ...check, role: 'output space (old encoder)' });
  if (visual) {
    const want = adapterTarget(visual, manifest.target.oldEmbedDim);
    const t = manifest.target;
    if (want.width !== t.width || want.depth !== t.depth || want.embedDim !== t.embedDim)
      throw new AdapterManifestError(`the adapter in ${dir} was trained for an encoder of width ${t.width}, depth ${t.depth}, embedding ${t.embedDim}; "${visual.config.name}" has width ${want.width}, depth ${want.depth}, embedding ${want.embedDim}`);
  }
  let adapter: Adapter;
  try {
    adapter = createAdapter(manifest.config, manifest.target);
  } catch (err) {
    // An unregistered variant, or options the variant refuses: the manifest is wrong (or needs a plug-in registered first).
    throw new AdapterManifestError(`${source}: cannot build the adapter it describes: ${(err as Error).message}`, source, 'config');
  }
  if (adapter.parameterCount() !== manifest.parameters) {
    adapter.dispose();
    throw new AdapterManifestError(`${source}: parameters is ${manifest.parameters} but a ${manifest.config.variant} adapter of this config has ${adapter.parameterCount()}; ${FIX}`, source, 'parameters');
  }
  const reader = SafetensorsReader.open(join(dir, ADAPTER_WEIGHTS_FILE));
  try {
    const problems: string[] = [];
    for (const [name, v] of adapter.params) {
      const entry = reader.entries.get(name);
      if (!entry) problems.push(`missing tensor "${name}"`);
      else if (entry.shape.join(',') !== v.shape.join(',')) problems.push(`"${name}" has shape [${entry.shape}] but the adapter needs [${v.shape}]`);
    }
    for (const name of reader.entries.keys()) if (!adapter.params.has(name)) problems.push(`unexpected tensor "${name}"`);
    if (problems.length) throw new AdapterManifestError(`${join(dir, ADAPTER_WEIGHTS_FILE)} does not match its ${ADAPTER_CONFIG_FILE}:\n  - ${problems.join('\n  - ')}`);
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
