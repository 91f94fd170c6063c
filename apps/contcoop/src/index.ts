#!/usr/bin/env node
// hotplug-contcoop: train prompts on one model, evaluate them on another; the compatibility table.
import { isEntryPoint } from '@hotplug/cli';
import { main } from './cli';

export { main, runCli, contcoopProgram, COMMANDS } from './cli';

if (isEntryPoint(import.meta.url)) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
