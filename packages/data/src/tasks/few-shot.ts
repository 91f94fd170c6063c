import type { ImageDataset } from '../types';
import { coopFewShotIndices } from '../fewshot';
import { subset } from '../dataset';
import { loadDataset, type EmbeddedName, type LoadOptions } from '../load';
import { classPrompts, type ClassPrompts } from '../prompts';

/** A few-shot task in CoOp's protocol: k shots per class from train, min(k, 4) for validation, evaluated on the whole test split. */
export interface FewShotTask {
  readonly dataset: string;
  readonly shots: number;
  readonly seed: number;
  readonly train: ImageDataset;
  /** min(shots, 4) per class from the rest of the train split, for model selection. */
  readonly val: ImageDataset;
  /** The evaluation split: the dataset's official (or saved) test split, never sampled. */
  readonly test: ImageDataset;
  readonly prompts: ClassPrompts;
}

/** The splits a head or prompt learner trains and is evaluated on, for one embedded dataset. */
export function fewShotTask(name: EmbeddedName, options: { shots: number; seed: number; load?: LoadOptions }): FewShotTask {
  const full = loadDataset(name, 'train', options.load);
  const picked = coopFewShotIndices(full.labels, { shots: options.shots, seed: options.seed, numClasses: full.classNames.length });
  const tag = `${options.shots}shot-seed${options.seed}`;
  const train = subset(full, picked.train, `train-${tag}`);
  const val = subset(full, picked.val, `val-${tag}`);
  const test = loadDataset(name, 'test', options.load);
  return { dataset: name, shots: options.shots, seed: options.seed, train, val, test, prompts: classPrompts(name, test.classNames) };
}
