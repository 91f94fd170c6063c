#!/usr/bin/env node
// hotplug-taca: trains, evaluates and exports TaCA adapters for an old/new model pair.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './app';

export { runCli, EVAL_DATASETS } from './app';
export { parseOptions, USAGE } from './options';
export type { AppOptions } from './options';
export type { Results } from './report';
export type { DatasetResult, SystemFigures } from './evaluate';
export type { TrainingRecord } from './train-variant';

const invokedDirectly = typeof process !== 'undefined' && process.argv[1] !== undefined && (() => {
  try {
    return realpathSync(process.argv[1]!) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly)
  runCli(process.argv.slice(2)).catch((err: Error) => {
    console.error(`hotplug-taca: ${err.message}`);
    process.exit(1);
  });
