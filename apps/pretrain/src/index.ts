#!/usr/bin/env node
// hotplug-pretrain: trains the embedded models on the scenes world, evaluates them and writes the model card.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli';

export { main, pretrainProgram, COMMANDS } from './cli';
export { taskQuality } from './quality';
export type { TaskFigures, TaskMetric, QualityOptions } from './quality';
export type { ModelCard, QualityBar, TrainingRecord, TokenFigures } from './card';

const invokedDirectly =
  typeof process !== 'undefined' &&
  process.argv[1] !== undefined &&
  (() => {
    try {
      return realpathSync(process.argv[1]!) === realpathSync(fileURLToPath(import.meta.url));
    } catch {
      return false;
    }
  })();

if (invokedDirectly) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
