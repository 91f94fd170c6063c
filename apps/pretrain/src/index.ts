#!/usr/bin/env node
// hotplug-pretrain: trains the embedded models on the scenes world, evaluates them and writes the model card.
import { isEntryPoint } from '@hotplug/cli';
import { main } from './cli';

export { main, pretrainProgram, COMMANDS } from './cli';
export { taskQuality } from './quality';
export type { TaskFigures, TaskMetric, QualityOptions } from './quality';
export type { ModelCard, QualityBar, TrainingRecord, TokenFigures } from './card';

if (isEntryPoint(import.meta.url)) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
