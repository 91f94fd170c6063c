#!/usr/bin/env node
// hotplug-contcoop: train prompts on one model, evaluate them on another; the compatibility table.
import { runCli } from './cli';

runCli(process.argv.slice(2)).catch((err) => {
  console.error(`hotplug-contcoop: ${(err as Error).message}`);
  process.exit(1);
});
