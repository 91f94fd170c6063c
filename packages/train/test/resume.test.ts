// Resume that trusts nothing: issue 18, case 5 (each concrete case one test).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { CheckpointError, ConfigMismatchError, Trainer, configDiff, type TrainerConfig } from '../src/index';
import { finishedRun, killedRun, runConfig, tinyProblem } from './fixtures';

beforeAll(async () => {
  await initBackend();
});

async function fitIn(dir: string, overrides: Partial<TrainerConfig> = {}) {
  const p = tinyProblem();
  const t = new Trainer(p.params, runConfig(dir, overrides));
  try {
    return await t.fit(p.loss);
  } finally {
    t.dispose();
    p.dispose();
  }
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const path = join(dir, 'checkpoint.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m));
}

describe('resume checks the configuration', () => {
  it('refuses a rerun with another learning rate, step count or loss weight, listing what changed', async () => {
    const half = await killedRun(); // a checkpoint at step 3 of 6
    const cases: Array<[Partial<TrainerConfig>, RegExp]> = [
      [{ schedule: { lr: 0.5, warmupSteps: 1 } }, /trainer\.schedule\.lr: 0\.05 in the checkpoint, 0\.5 now/],
      [{ totalSteps: 9 }, /totalSteps: 6 in the checkpoint, 9 now/],
      [{ run: { recipe: { lr: 0.05, seed: 3, loss: { contrastive: 0.5 } } } }, /recipe\.loss: \(absent\) in the checkpoint, \{"contrastive":0\.5\} now/],
    ];
    for (const [change, message] of cases) {
      const err = await fitIn(half, change).catch((e) => e);
      expect(err).toBeInstanceOf(ConfigMismatchError);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/--restart/);
    }
  });

  it('starts afresh with restart, discarding checkpoint and log', async () => {
    const dir = await finishedRun();
    const summary = await fitIn(dir, { schedule: { lr: 0.02, warmupSteps: 1 }, restart: true });
    expect(summary.startStep).toBe(0);
    expect(summary.steps).toBe(6);
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).run.trainer.schedule.lr).toBe(0.02);
  });

  it('recognises a finished run: nothing trained, nothing rewritten, the recorded loss reported', async () => {
    const dir = await finishedRun();
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
    const recorded = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    const summary = await fitIn(dir);
    expect(summary.alreadyFinished).toBe(true);
    expect(summary.steps).toBe(0);
    expect(summary.finalLoss).toBe(recorded.finalLoss);
    expect(Number.isFinite(summary.finalLoss)).toBe(true);
    expect(summary.totalSeconds).toBe(recorded.seconds);
    expect(Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]))).toEqual(before);
  });
});

describe('resume refuses a checkpoint that lies', () => {
  it('a step above the total', async () => {
    const dir = await finishedRun();
    editManifest(dir, (m) => (m.step = 16));
    await expect(fitIn(dir)).rejects.toThrow(/step 16 is past the run's 6 total steps/);
  });

  it('"optimizerStep": "3" (a string)', async () => {
    const dir = await finishedRun();
    editManifest(dir, (m) => (m.optimizerStep = '3'));
    const err = await fitIn(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/optimizerStep: .*expected number, received string/i);
  });

  it('a weightsFile outside the folder', async () => {
    const dir = await finishedRun();
    editManifest(dir, (m) => (m.weightsFile = '../../etc/passwd'));
    await expect(fitIn(dir)).rejects.toThrow(/weightsFile: a file name of the form weights-00000123\.bin/);
  });

  it('an old-format checkpoint without a configuration', async () => {
    const dir = await finishedRun();
    editManifest(dir, (m) => {
      m.format = 'hotplug-checkpoint/1';
      delete m.run;
    });
    await expect(fitIn(dir)).rejects.toThrow(/records no configuration/);
  });

  it('NaN moments, and leaves the model untouched', async () => {
    const half = await killedRun();
    const bin = readdirSync(half).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(half, bin));
    bytes.writeFloatLE(NaN, bytes.length - 4); // the last tensor (a moment)
    writeFileSync(join(half, bin), bytes);
    const p = tinyProblem(7);
    const before = [...p.params.get('w')!.dataSync()];
    const t = new Trainer(p.params, runConfig(half));
    await expect(t.fit(p.loss)).rejects.toThrow(/NaN or infinite/);
    expect([...p.params.get('w')!.dataSync()]).toEqual(before);
    t.dispose();
    p.dispose();
  });
});

describe('metrics log', () => {
  it('skips a torn last line with a warning and resumes', async () => {
    const dir = await killedRun();
    // The kill tore the line being appended.
    writeFileSync(join(dir, 'metrics.jsonl'), `${readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n')}\n{"step":4,"lo`);
    const warnings: string[] = [];
    const summary = await fitIn(dir, { warn: (w) => warnings.push(w) });
    expect(summary.startStep).toBe(3);
    expect(warnings.join('\n')).toMatch(/line 4 is not valid JSON \(torn last line/);
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('configDiff', () => {
  it('lists leaf differences as dotted paths', () => {
    expect(configDiff({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1, 2] }, e: 1 })).toEqual([
      { path: 'a.b', saved: 1, current: 2 },
      { path: 'd', saved: 1, current: undefined },
      { path: 'e', saved: undefined, current: 1 },
    ]);
  });
});
