import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors, type VisionTransformer } from '@hotplug/backbones';
import { z } from 'zod';
import { InputError, checkIdentity, parseJson, validate, weightsFingerprint, writeJsonAtomic, type ModelIdentity } from '@hotplug/runtime';
import { adapterTarget, type Adapter, type AdapterTarget } from './adapter';
import type { AdapterConfig } from './config';
import { createAdapter, listAdapters } from './registry';

export const ADAPTER_WEIGHTS_FILE = 'adapter.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter.json';
const FORMAT = 'hotplug-taca-adapter';

/** Limits a manifest's declared sizes are checked against before anything is allocated. */
export const ADAPTER_LIMITS = { width: 1 << 16, depth: 1024, embedDim: 1 << 16, bottleneck: 1 << 16, parameters: 2_000_000_000 };

const dim = (max: number) => z.number().int().positive().max(max);
const identity = z.strictObject({
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits (weightsFingerprint)'),
  name: z.string().max(200).optional(),
});

const trainedOn = z.strictObject({ model: identity, outputSpace: identity });
const shared = {
  variant: z.string().min(1).max(100),
  blocks: z
    .array(
      z
        .number()
        .int()
        .nonnegative()
        .max(ADAPTER_LIMITS.depth - 1),
    )
    .max(ADAPTER_LIMITS.depth)
    .optional(),
  outputProjection: z.enum(['auto', 'always', 'never']),
  seed: z.number().int(),
};
const target = {
  width: dim(ADAPTER_LIMITS.width),
  depth: dim(ADAPTER_LIMITS.depth),
  embedDim: dim(ADAPTER_LIMITS.embedDim),
  oldEmbedDim: dim(ADAPTER_LIMITS.embedDim),
};

/**
 * Version 2: the shared fields, the variant's own options (checked by the variant when the
 * adapter is rebuilt), and the full block shape (heads, MLP width).
 */
const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(2),
  config: z.strictObject({ ...shared, options: z.record(z.string().max(100), z.unknown()) }),
  target: z.strictObject({ ...target, heads: dim(ADAPTER_LIMITS.width), mlpWidth: dim(ADAPTER_LIMITS.width * 16) }),
  parameters: z.number().int().nonnegative().max(ADAPTER_LIMITS.parameters),
  /**
   * The models the adapter was trained with: the new encoder it plugs into, and the old
   * encoder whose embedding space its output lands in. Absent in adapters saved before
   * fingerprints were recorded (accepted with a warning).
   */
  trainedOn: trainedOn.optional(),
});

/** Version 1 (flat config shared by every variant, no heads / MLP width): still read. */
const ManifestV1Schema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  config: z.strictObject({
    ...shared,
    bottleneck: dim(ADAPTER_LIMITS.bottleneck),
    scale: z.number().finite(),
    activation: z.enum(['relu', 'gelu', 'quickgelu']),
    loraTargets: z
      .array(z.enum(['q', 'k', 'v', 'out']))
      .min(1)
      .max(4),
  }),
  target: z.strictObject(target),
  parameters: z.number().int().nonnegative().max(ADAPTER_LIMITS.parameters),
  trainedOn: trainedOn.optional(),
});
type AdapterManifest = z.infer<typeof ManifestSchema>;
type ManifestV1 = z.infer<typeof ManifestV1Schema>;
/** A read manifest; a version-1 one lacks the block shape until an encoder supplies it. */
type ReadManifest = Omit<AdapterManifest, 'target' | 'version'> & { version: 1 | 2; target: AdapterManifest['target'] | ManifestV1['target'] };

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
  const { variant, blocks, outputProjection, seed, options } = adapter.config;
  const config = { variant, ...(blocks ? { blocks } : {}), outputProjection, seed, options: options as Record<string, unknown> };
  const manifest: AdapterManifest = {
    format: FORMAT,
    version: 2,
    config,
    target: { ...adapter.target },
    parameters: adapter.parameterCount(),
    ...(trainedOn ? { trainedOn } : {}),
  };
  writeJsonAtomic(join(dir, ADAPTER_CONFIG_FILE), manifest);
}

const FIX = 'save the adapter again (saveAdapter / hotplug-taca train)';

/** A version-1 flat config as a version-2 one: the keys the (registered) variant has become its options. */
function upgradeV1(m: ManifestV1): ReadManifest {
  const { variant, blocks, outputProjection, seed, loraTargets, ...flat } = m.config;
  const known = listAdapters().find((a) => a.name === variant)?.defaults ?? {};
  const candidates: Record<string, unknown> = { ...flat, targets: loraTargets };
  const options = Object.fromEntries(Object.entries(candidates).filter(([k]) => k in known));
  return { ...m, config: { variant, ...(blocks ? { blocks } : {}), outputProjection, seed, options } };
}

function readManifest(dir: string): ReadManifest {
  const path = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(path)) throw new AdapterManifestError(`${dir} holds no saved adapter: ${ADAPTER_CONFIG_FILE} is missing (save one with saveAdapter)`, path);
  const raw = parseJson(readFileSync(path, 'utf8'), path, FIX, AdapterManifestError);
  const manifest: ReadManifest =
    raw && typeof raw === 'object' && (raw as { version?: unknown }).version === 1
      ? upgradeV1(validate(ManifestV1Schema, raw, path, FIX, AdapterManifestError))
      : validate(ManifestSchema, raw, path, FIX, AdapterManifestError);
  const t = manifest.target;
  if (manifest.config.blocks?.some((b) => b >= t.depth))
    throw new AdapterManifestError(
      `${path}: config.blocks ${JSON.stringify(manifest.config.blocks)} name blocks past the target's depth ${t.depth}; ${FIX}`,
      path,
      'config.blocks',
    );
  if ('heads' in t && t.width % t.heads !== 0)
    throw new AdapterManifestError(`${path}: target.width ${t.width} is not a multiple of target.heads ${t.heads}; ${FIX}`, path, 'target.heads');
  // The weights file must hold every declared parameter (float32): a count past it is refused before anything is allocated.
  const weights = join(dir, ADAPTER_WEIGHTS_FILE);
  const bytes = existsSync(weights) ? statSync(weights).size : 0;
  if (manifest.parameters * 4 > bytes)
    throw new AdapterManifestError(
      `${weights} has ${bytes} bytes, but ${ADAPTER_CONFIG_FILE} declares ${manifest.parameters} parameters (${manifest.parameters * 4} bytes of float32): the weights file is truncated or the manifest is wrong; ${FIX}`,
      path,
      'parameters',
    );
  return manifest;
}

/** The config, target and identity a saved adapter was built with (schema-checked; heads / mlpWidth absent in version-1 adapters). */
export function readAdapterManifest(dir: string): {
  config: Omit<AdapterConfig, 'blocks'> & { blocks?: number[] };
  target: Omit<AdapterTarget, 'heads' | 'mlpWidth'> & Partial<AdapterTarget>;
  parameters: number;
  trainedOn?: AdapterIdentity;
} {
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
  if (options.outputSpace)
    checkIdentity('the adapter', source, manifest.trainedOn?.outputSpace, options.outputSpace, { ...check, role: 'output space (old encoder)' });
  const t = manifest.target;
  let built: AdapterTarget;
  if (visual) {
    const want = adapterTarget(visual, t.oldEmbedDim);
    if (
      want.width !== t.width ||
      want.depth !== t.depth ||
      want.embedDim !== t.embedDim ||
      ('heads' in t && (want.heads !== t.heads || want.mlpWidth !== t.mlpWidth))
    )
      throw new AdapterManifestError(
        `the adapter in ${dir} was trained for an encoder of width ${t.width}, depth ${t.depth}, embedding ${t.embedDim}${'heads' in t ? `, ${t.heads} heads, MLP width ${t.mlpWidth}` : ''}; "${visual.config.name}" has width ${want.width}, depth ${want.depth}, embedding ${want.embedDim}, ${want.heads} heads, MLP width ${want.mlpWidth}`,
      );
    built = want;
  } else if ('heads' in t) built = t;
  else
    throw new AdapterManifestError(
      `${source} was saved before adapters recorded their block shape (version 1); load it with its encoder: loadAdapter(dir, visual)`,
      source,
      'target',
    );
  let adapter: Adapter;
  try {
    adapter = createAdapter(manifest.config, built, { maxParameters: manifest.parameters });
  } catch (err) {
    // An unregistered variant, or options the variant refuses: the manifest is wrong (or needs a plug-in registered first).
    throw new AdapterManifestError(`${source}: cannot build the adapter it describes: ${(err as Error).message}`, source, 'config');
  }
  if (adapter.parameterCount() !== manifest.parameters) {
    adapter.dispose();
    throw new AdapterManifestError(
      `${source}: parameters is ${manifest.parameters} but a ${manifest.config.variant} adapter of this config has ${adapter.parameterCount()}; ${FIX}`,
      source,
      'parameters',
    );
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
    if (problems.length)
      throw new AdapterManifestError(`${join(dir, ADAPTER_WEIGHTS_FILE)} does not match its ${ADAPTER_CONFIG_FILE}:\n  - ${problems.join('\n  - ')}`);
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
