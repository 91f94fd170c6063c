#!/usr/bin/env node
// hotplug-contcoop: train prompts on one model, evaluate them on another; the compatibility table.
import { main } from './cli';

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
