import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProgressBar, writeFileAtomic } from '@hotplug/runtime';
import { AdamW, clipByGlobalNorm, type AdamWConfig } from './adamw';
import { learningRate, type ScheduleConfig } from './schedule';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

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
  seconds: number;
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
    let startStep = 0;
    if (checkpoint && existsSync(checkpoint.dir)) {
      const state = loadCheckpoint(checkpoint.dir, this.params, this.optimizer);
      if (state) startStep = state.step;
    }
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true });
      truncateLog(logFile, startStep);
    }

    const bar = this.config.progress === false ? null : new ProgressBar({ total: totalSteps, start: startStep, label: this.config.label ?? 'train', unit: 'step' });
    const history: StepRecord[] = [];
    const varList = [...this.params.values()];
    const t0 = performance.now();
    let finalLoss = NaN;

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
      if (logFile && ((step + 1) % logEvery === 0 || step + 1 === totalSteps)) appendFileSync(logFile, JSON.stringify(record) + '\n');
      bar?.tick(1, { loss: finalLoss, lr });
      if (checkpoint && ((step + 1) % checkpoint.every === 0 || step + 1 === totalSteps)) await saveCheckpoint(checkpoint.dir, step + 1, this.params, this.optimizer);
    }
    bar?.finish();
    return { startStep, steps: totalSteps - startStep, finalLoss, seconds: (performance.now() - t0) / 1000, history };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Drops log lines past `step`, so a resumed run does not log a step twice. */
function truncateLog(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && (JSON.parse(line) as StepRecord).step <= step);
  writeFileAtomic(file, kept.map((l) => l + '\n').join(''));
}
