import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import type { AdamW } from './adamw';

/** checkpoint.json: written last, so its presence means the weights file it names is whole. */
interface CheckpointManifest {
  format: 'hotplug-checkpoint/1';
  step: number;
  optimizerStep: number;
  weightsFile: string;
  specs: tf.io.WeightsManifestEntry[];
}

const MANIFEST = 'checkpoint.json';

/**
 * Saves parameters and optimizer moments in tfjs's weight format (one binary file plus
 * specs). The binary is written under a step-numbered name, then the manifest is swapped
 * in atomically, then older binaries are removed: a kill at any point leaves a loadable
 * checkpoint.
 */
export async function saveCheckpoint(dir: string, step: number, params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW): Promise<void> {
  const state = optimizer.getState();
  const named: tf.NamedTensorMap = {};
  for (const [name, p] of params) named[`param/${name}`] = p;
  for (const [name, { m, v }] of Object.entries(state.moments)) {
    named[`adam_m/${name}`] = m;
    named[`adam_v/${name}`] = v;
  }
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    const weightsFile = `weights-${String(step).padStart(8, '0')}.bin`;
    writeFileAtomic(join(dir, weightsFile), new Uint8Array(data));
    const manifest: CheckpointManifest = { format: 'hotplug-checkpoint/1', step, optimizerStep: state.step, weightsFile, specs };
    writeJsonAtomic(join(dir, MANIFEST), manifest);
    for (const f of readdirSync(dir)) if (/^weights-\d+\.bin$/.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  } finally {
    for (const { m, v } of Object.values(state.moments)) {
      m.dispose();
      v.dispose();
    }
  }
}

/** Restores parameters and optimizer state from `dir`; returns null when it holds no checkpoint. */
export function loadCheckpoint(dir: string, params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW): { step: number } | null {
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) return null;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`checkpoint manifest ${manifestPath} is not valid JSON (${(err as Error).message}); delete the folder to start afresh`);
  }
  if (manifest.format !== 'hotplug-checkpoint/1') throw new Error(`${manifestPath} is not a hotplug checkpoint (format ${manifest.format})`);
  const weightsPath = join(dir, manifest.weightsFile);
  if (!existsSync(weightsPath)) throw new Error(`checkpoint ${manifestPath} names ${manifest.weightsFile}, which is missing; delete the folder to start afresh`);
  const bytes = readFileSync(weightsPath);
  const expected = manifest.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.byteLength !== expected)
    throw new Error(`checkpoint weights ${weightsPath} hold ${bytes.byteLength} bytes, the manifest expects ${expected}: the file is corrupt; delete the folder to start afresh`);
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), manifest.specs);
  try {
    const missing = [...params.keys()].filter((n) => !tensors[`param/${n}`]);
    if (missing.length) throw new Error(`checkpoint in ${dir} lacks parameters: ${missing.join(', ')}; it was made for a different model`);
    for (const [name, p] of params) {
      const t = tensors[`param/${name}`]!;
      if (!tf.util.arraysEqual(t.shape, p.shape)) throw new Error(`checkpoint parameter "${name}" is [${t.shape}], the model has [${p.shape}]`);
      p.assign(t);
    }
    const moments: Record<string, { m: tf.Tensor; v: tf.Tensor }> = {};
    for (const name of params.keys()) moments[name] = { m: tensors[`adam_m/${name}`]!, v: tensors[`adam_v/${name}`]! };
    optimizer.setState({ step: manifest.optimizerStep, moments });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return { step: manifest.step };
}
