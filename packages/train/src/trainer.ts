import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { ProgressBar, readJsonLines, writeFileAtomic } from '@hotplug/runtime';
import { AdamW, clipByGlobalNorm, type AdamWConfig } from './adamw';
import { learningRate, type ScheduleConfig } from './schedule';
import { readCheckpointManifest, removeCheckpoint, restoreCheckpoint, saveCheckpoint, type RunRecord } from './checkpoint';

/** Everything about a training run, as data. */
export interface TrainerConfig {
  totalSteps: number;
  schedule: ScheduleConfig;
  optimizer?: AdamWConfig;
  /** Clip gradients to this global L2 norm. */
  clipGradNorm?: number;
  /** Save every `every` steps (and at the end) into `dir`; a run finding a checkpoint there resumes from it. */
  checkpoint?: { dir: string; every: number };
  /** JSONL metrics log, one line per logged step. */
  logFile?: string;
  logEvery?: number;
  /** Progress bar label; `progress: false` hides the bar. */
  label?: string;
  progress?: boolean;
  /**
   * What else must be equal for a checkpoint to be resumed, as JSON: the caller's whole recipe
   * (loss weights, batch size, seed...) and fingerprints of the data order and of the frozen
   * model. Stored in the checkpoint with the trainer's own settings and a fingerprint of the
   * parameters' names and shapes; a rerun that differs in any of them is
   * refused with a ConfigMismatchError listing the changes.
   */
  run?: RunRecord;
  /** Discard a checkpoint (and the metrics log) found in `checkpoint.dir` and train afresh. */
  restart?: boolean;
  /** Where warnings go (a torn metrics line); console.warn by default. */
  warn?: (message: string) => void;
}

/** What a loss function returns: the loss, and optional scalar metrics to log. */
export type StepOutput = tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, tf.Scalar> };
export type LossFn = (step: number) => StepOutput;

export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  [metric: string]: number;
}

export interface TrainSummary {
  /** Step the run started from (0, or the resumed checkpoint's step). */
  startStep: number;
  steps: number;
  finalLoss: number;
  /** Seconds this call trained (0 when the run was already finished). */
  seconds: number;
  /** Seconds over every invocation of this run (resumes included). */
  totalSeconds: number;
  /** The checkpoint found was already at totalSteps: nothing was trained, the weights were restored. */
  alreadyFinished: boolean;
  history: StepRecord[];
}

/**
 * The loop every app shares. Only the variables passed in train; the loss function
 * builds its batch from the step index (see StepSampler), which is what makes resuming
 * after a kill land on exactly the state of an uninterrupted run.
 */
export class Trainer {
  readonly optimizer: AdamW;
  private readonly byVariableName = new Map<string, string>();

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: TrainerConfig,
  ) {
    if (params.size === 0) throw new Error('Trainer got no parameters to train; pass the trainable variables by name');
    if (!(config.totalSteps > 0)) throw new Error(`totalSteps must be > 0, got ${config.totalSteps}`);
    for (const [name, v] of params) {
      if (!v.trainable) throw new Error(`parameter "${name}" is not trainable; unfreeze it or leave it out`);
      this.byVariableName.set(v.name, name);
    }
    this.optimizer = new AdamW(params, config.optimizer);
  }

  /** Runs (or resumes) training to totalSteps. */
  async fit(lossFn: LossFn, onStep?: (record: StepRecord) => void): Promise<TrainSummary> {
    const { totalSteps, checkpoint, logFile, logEvery = 10 } = this.config;
    const warn = this.config.warn ?? ((m: string) => console.warn(m));
    const run = this.runRecord();
    let startStep = 0;
    let earlierSeconds = 0;
    let finalLoss = NaN;
    if (checkpoint && this.config.restart) {
      removeCheckpoint(checkpoint.dir);
      if (logFile) rmSync(logFile, { force: true });
    }
    if (checkpoint && existsSync(checkpoint.dir)) {
      const manifest = readCheckpointManifest(checkpoint.dir, run, totalSteps);
      if (manifest) {
        restoreCheckpoint(checkpoint.dir, manifest, this.params, this.optimizer);
        startStep = manifest.step;
        earlierSeconds = manifest.seconds;
        finalLoss = manifest.finalLoss ?? NaN;
      }
    }
    if (startStep === totalSteps) return { startStep, steps: 0, finalLoss, seconds: 0, totalSeconds: earlierSeconds, alreadyFinished: true, history: [] };
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true });
      truncateLog(logFile, startStep, warn);
    }

    const bar =
      this.config.progress === false ? null : new ProgressBar({ total: totalSteps, start: startStep, label: this.config.label ?? 'train', unit: 'step' });
    const history: StepRecord[] = [];
    const varList = [...this.params.values()];
    const t0 = performance.now();

    for (let step = startStep; step < totalSteps; step++) {
      const lr = learningRate(this.config.schedule, step, totalSteps);
      const metrics: Record<string, number> = {};
      const { value, grads: rawGrads } = tf.variableGrads(() => {
        const out = lossFn(step);
        if (out instanceof tf.Tensor) return out;
        for (const [k, t] of Object.entries(out.metrics ?? {})) metrics[k] = t.dataSync()[0]!;
        return out.loss;
      }, varList);
      let grads: Record<string, tf.Tensor> = {};
      for (const [vName, g] of Object.entries(rawGrads)) grads[this.byVariableName.get(vName) ?? vName] = g;
      let gradNorm = NaN;
      if (this.config.clipGradNorm) ({ grads, norm: gradNorm } = clipByGlobalNorm(grads, this.config.clipGradNorm));
      this.optimizer.apply(grads, lr);
      for (const g of Object.values(grads)) g.dispose();
      finalLoss = value.dataSync()[0]!;
      value.dispose();
      if (!Number.isFinite(finalLoss)) throw new Error(`loss became ${finalLoss} at step ${step}; lower the learning rate or enable clipGradNorm`);

      const record: StepRecord = { step: step + 1, loss: finalLoss, lr, gradNorm, ...metrics };
      history.push(record);
      onStep?.(record);
      if (logFile && ((step + 1) % logEvery === 0 || step + 1 === totalSteps)) appendFileSync(logFile, `${JSON.stringify(record)}\n`);
      bar?.tick(1, { loss: finalLoss, lr });
      if (checkpoint && ((step + 1) % checkpoint.every === 0 || step + 1 === totalSteps))
        await saveCheckpoint(checkpoint.dir, step + 1, this.params, this.optimizer, {
          totalSteps,
          run,
          finalLoss,
          seconds: earlierSeconds + (performance.now() - t0) / 1000,
        });
    }
    bar?.finish();
    const seconds = (performance.now() - t0) / 1000;
    return { startStep, steps: totalSteps - startStep, finalLoss, seconds, totalSeconds: earlierSeconds + seconds, alreadyFinished: false, history };
  }

  /**
   * The record a checkpoint must match: the trainer's settings, the caller's `run`, and a
   * fingerprint of the trained parameters' names and shapes. Initial values are not part of
   * it (a resume takes every value from the checkpoint); what they derive from (seed, warm
   * start) belongs in the caller's recipe.
   */
  runRecord(): RunRecord {
    const { schedule, optimizer = {}, clipGradNorm, logEvery = 10 } = this.config;
    const { decays: _decays, ...optimizerData } = optimizer;
    const hash = createHash('sha256');
    for (const [name, p] of [...this.params].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${name}:${p.shape.join('x')};`);
    return {
      trainer: { schedule, optimizer: optimizerData, clipGradNorm: clipGradNorm ?? null, logEvery },
      parameters: hash.digest('hex'),
      ...(this.config.run ?? {}),
    };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * Drops log lines past `step`, so a resumed run does not log a step twice. Lines that do not
 * parse (the torn last line of a killed append) or carry no step are dropped with a warning.
 */
function truncateLog(file: string, step: number, warn: (message: string) => void): void {
  if (!existsSync(file)) return;
  const { rows } = readJsonLines(file, warn);
  const kept = rows.filter(
    (r): r is StepRecord => typeof r === 'object' && r !== null && Number.isInteger((r as StepRecord).step) && (r as StepRecord).step <= step,
  );
  writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
