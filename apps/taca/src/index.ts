#!/usr/bin/env node
// hotplug-taca: trains, evaluates and exports TaCA adapters for an old/new model pair.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './app';

export { runCli, runTaca, EVAL_DATASETS } from './app';
export { parseOptions, tacaProgram } from './options';
export type { AppOptions } from './options';
export type { Results } from './report';
export type { DatasetResult, SystemFigures } from './evaluate';
export type { TrainingRecord } from './train-variant';

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

if (invokedDirectly) runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
