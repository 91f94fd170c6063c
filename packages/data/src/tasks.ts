import type { ImageDataset } from './types';
import { fewShotSplit } from './fewshot';
import { loadDataset, type EmbeddedName, type LoadOptions } from './load';
import { classPrompts, type ClassPrompts } from './prompts';

/** A few-shot task in CoOp's protocol: k shots per class from train, evaluated on the whole test split. */
export interface FewShotTask {
  readonly dataset: string;
  readonly shots: number;
  readonly seed: number;
  readonly train: ImageDataset;
  /** The evaluation split: the dataset's official (or saved) test split, never sampled. */
  readonly test: ImageDataset;
  readonly prompts: ClassPrompts;
}

/** The splits a head or prompt learner trains and is evaluated on, for one embedded dataset. */
export function fewShotTask(name: EmbeddedName, options: { shots: number; seed: number; load?: LoadOptions }): FewShotTask {
  const train = fewShotSplit(loadDataset(name, 'train', options.load), { shots: options.shots, seed: options.seed });
  const test = loadDataset(name, 'test', options.load);
  return { dataset: name, shots: options.shots, seed: options.seed, train, test, prompts: classPrompts(name, test.classNames) };
}
