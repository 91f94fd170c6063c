import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJson, validate, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import type { AdamW } from './adamw';
import { CheckpointError, ConfigMismatchError, configDiff } from './errors';

const MANIFEST = 'checkpoint.json';
const FORMAT = 'hotplug-checkpoint/2';
/** A checkpoint's binary is at most this large before anything is read (16 GiB). */
const MAX_WEIGHTS_BYTES = 16 * 2 ** 30;

const json: z.ZodType<unknown> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  step: count,
  optimizerStep: count,
  /** Steps the run trains to; step === totalSteps means finished. */
  totalSteps: count.min(1),
  /** Only names this writer gives: a data file cannot point outside its folder. */
  weightsFile: z.string().regex(/^weights-\d{8,}\.bin$/, 'a file name of the form weights-00000123.bin in the checkpoint folder'),
  specs: z.array(z.strictObject({ name: z.string().min(1), shape: z.array(count.max(2 ** 31 - 1)).max(8), dtype: z.literal('float32') })).max(1_000_000),
  /** Everything about the run that must be equal to resume (trainer settings, the caller's recipe, fingerprints). */
  run: z.record(z.string(), json),
  /** Summary carried over so a finished run can be reported without training. */
  finalLoss: z.number().nullable(),
  seconds: z.number().nonnegative(),
});
export type CheckpointManifest = z.infer<typeof ManifestSchema>;

/** What a checkpoint is checked against: its run record must equal this one. */
export type RunRecord = Record<string, unknown>;

export interface SaveCheckpointInfo {
  totalSteps: number;
  run: RunRecord;
  finalLoss: number;
  /** Training seconds up to this step, over every invocation. */
  seconds: number;
}

/**
 * Saves parameters and optimizer moments in tfjs's weight format (one binary file plus
 * specs) with the run's configuration record. The binary is written under a step-numbered
 * name, then the manifest is swapped in atomically, then older binaries are removed: a kill
 * at any point leaves a loadable checkpoint.
 */
export async function saveCheckpoint(
  dir: string,
  step: number,
  params: ReadonlyMap<string, tf.Variable>,
  optimizer: AdamW,
  info: SaveCheckpointInfo,
): Promise<void> {
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
    const manifest: CheckpointManifest = {
      format: FORMAT,
      step,
      optimizerStep: state.step,
      totalSteps: info.totalSteps,
      weightsFile,
      specs: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' as const })),
      run: JSON.parse(JSON.stringify(info.run)) as Record<string, unknown>,
      finalLoss: Number.isFinite(info.finalLoss) ? info.finalLoss : null,
      seconds: info.seconds,
    };
    writeJsonAtomic(join(dir, MANIFEST), manifest);
    for (const f of readdirSync(dir)) if (/^weights-\d+\.bin$/.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  } finally {
    for (const { m, v } of Object.values(state.moments)) {
      m.dispose();
      v.dispose();
    }
  }
}

const FIX = 'delete the checkpoint folder (or restart) to train afresh';

/**
 * Reads and checks `dir/checkpoint.json` without touching any tensor: schema, the run record
 * against `run` (ConfigMismatchError listing the changes), step <= totalSteps, the weights
 * file's length against the specs. Returns null when the folder holds no checkpoint.
 */
export function readCheckpointManifest(dir: string, run: RunRecord, totalSteps: number): CheckpointManifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  const raw = parseJson(readFileSync(path, 'utf8'), path, FIX, CheckpointError);
  if (raw && typeof raw === 'object' && (raw as { format?: unknown }).format === 'hotplug-checkpoint/1')
    throw new CheckpointError(
      `${path} is an older checkpoint (hotplug-checkpoint/1) that records no configuration, so resuming it cannot be checked; ${FIX}`,
      path,
      'format',
    );
  const manifest = validate(ManifestSchema, raw, path, FIX, CheckpointError);
  if (manifest.step > manifest.totalSteps)
    throw new CheckpointError(
      `${path}: step ${manifest.step} is past the run's ${manifest.totalSteps} total steps; the checkpoint is corrupt; ${FIX}`,
      path,
      'step',
    );
  if (manifest.optimizerStep > manifest.step)
    throw new CheckpointError(
      `${path}: optimizerStep ${manifest.optimizerStep} is past step ${manifest.step}; the checkpoint is corrupt; ${FIX}`,
      path,
      'optimizerStep',
    );
  const changes = configDiff(manifest.run, JSON.parse(JSON.stringify(run)));
  if (manifest.totalSteps !== totalSteps) changes.unshift({ path: 'totalSteps', saved: manifest.totalSteps, current: totalSteps });
  if (changes.length) throw new ConfigMismatchError(dir, changes);
  let expected = 0;
  for (const s of manifest.specs) expected += s.shape.reduce((a, b) => a * b, 1) * 4;
  if (!(expected <= MAX_WEIGHTS_BYTES))
    throw new CheckpointError(`${path}: specs declare ${expected} bytes of weights, above the ${MAX_WEIGHTS_BYTES}-byte limit; ${FIX}`, path, 'specs');
  const weightsPath = join(dir, manifest.weightsFile);
  if (!existsSync(weightsPath)) throw new CheckpointError(`checkpoint ${path} names ${manifest.weightsFile}, which is missing; ${FIX}`, path, 'weightsFile');
  const size = statSync(weightsPath).size;
  if (size !== expected)
    throw new CheckpointError(
      `checkpoint weights ${weightsPath} hold ${size} bytes, the manifest expects ${expected}: the file is corrupt; ${FIX}`,
      weightsPath,
    );
  return manifest;
}

/**
 * Restores parameters and optimizer state from a checkpoint `readCheckpointManifest` accepted.
 * Everything (every parameter and both moments, names and shapes, finite values) is checked
 * before anything is assigned, so a bad checkpoint leaves the model as it was.
 */
export function restoreCheckpoint(dir: string, manifest: CheckpointManifest, params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW): void {
  const weightsPath = join(dir, manifest.weightsFile);
  const bytes = readFileSync(weightsPath);
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), manifest.specs);
  try {
    const problems: string[] = [];
    for (const [name, p] of params) {
      for (const key of [`param/${name}`, `adam_m/${name}`, `adam_v/${name}`]) {
        const t = tensors[key];
        if (!t) problems.push(`${key} is missing`);
        else if (!tf.util.arraysEqual(t.shape, p.shape)) problems.push(`${key} is [${t.shape}], the model has [${p.shape}]`);
        else if (!(t.dataSync() as Float32Array).every(Number.isFinite)) problems.push(`${key} holds NaN or infinite values`);
      }
    }
    if (problems.length)
      throw new CheckpointError(
        `checkpoint in ${dir} does not fit this model: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; ... ${problems.length - 5} more` : ''}; ${FIX}`,
        weightsPath,
      );
    for (const [name, p] of params) p.assign(tensors[`param/${name}`]!);
    const moments: Record<string, { m: tf.Tensor; v: tf.Tensor }> = {};
    for (const name of params.keys()) moments[name] = { m: tensors[`adam_m/${name}`]!, v: tensors[`adam_v/${name}`]! };
    optimizer.setState({ step: manifest.optimizerStep, moments });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/**
 * Checks and restores in one call; returns null when `dir` holds no checkpoint, else the
 * manifest (whose step the run continues from).
 */
export function loadCheckpoint(
  dir: string,
  params: ReadonlyMap<string, tf.Variable>,
  optimizer: AdamW,
  expect: { run: RunRecord; totalSteps: number },
): CheckpointManifest | null {
  const manifest = readCheckpointManifest(dir, expect.run, expect.totalSteps);
  if (manifest) restoreCheckpoint(dir, manifest, params, optimizer);
  return manifest;
}

/** Removes a checkpoint (manifest and weight files) so a run starts afresh; other files stay. */
export function removeCheckpoint(dir: string): void {
  if (!existsSync(dir)) return;
  rmSync(join(dir, MANIFEST), { force: true });
  for (const f of readdirSync(dir)) if (/^weights-\d+\.bin$/.test(f)) rmSync(join(dir, f), { force: true });
}
