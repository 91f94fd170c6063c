import { readFileSync } from 'node:fs';
import type { ExperimentSpec } from '@hotplug/bench';
import type { PromptTrainConfig } from '@hotplug/contcoop';
import type { DataLimits } from './systems';

/** A benchmark file: the experiment grid plus how much data and prompt training it uses. */
export interface BenchSpec {
  experiment: ExperimentSpec;
  data?: DataLimits;
  promptTraining?: Partial<PromptTrainConfig>;
}

export function readBenchSpec(path: string): BenchSpec {
  let spec: BenchSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read benchmark spec ${path}: ${(err as Error).message}`);
  }
  if (!spec.experiment || typeof spec.experiment !== 'object') throw new Error(`${path}: "experiment" (the grid: datasets, seeds, systems, heads, learners, comparisons) is missing`);
  return spec;
}

/** Adapter variants the systems of a spec use. */
export function adapterVariants(spec: ExperimentSpec): string[] {
  return [...new Set(spec.systems.flatMap((s) => (s.adapter ? [s.adapter] : [])))];
}
