#!/usr/bin/env node
// hotplug-taca: trains, evaluates and exports TaCA adapters for an old/new model pair.
import { isEntryPoint } from '@hotplug/cli';
import { runCli } from './app';

export { runCli, runTaca } from './app';
export { EVAL_DATASETS, evaluationSpec, adaptedSystem } from './evaluate';
export { parseOptions, tacaProgram } from './options';
export type { AppOptions } from './options';
export type { TrainingRecord } from './train-variant';

if (isEntryPoint(import.meta.url)) runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
