import { PROMPT_TRAIN_DEFAULTS, type PromptTrainConfig } from '@hotplug/contcoop';

/** The learners of the compatibility table, in report order. */
export const TABLE_LEARNERS = ['zeroshot', 'coop', 'cocoop', 'kgcoop', 'contcoop'] as const;

type Recipe = Omit<PromptTrainConfig, 'seed' | 'checkpointDir' | 'checkpointEvery' | 'logFile' | 'progress' | 'label' | 'onStep'>;

/**
 * Training recipe per learner. CoCoOp runs the text encoder on batch x classes prompts per
 * step, so it trains with small batches (its paper uses 1) to keep a table run in minutes.
 */
export const RECIPES: Record<string, Recipe> = {
  zeroshot: { ...PROMPT_TRAIN_DEFAULTS },
  coop: { ...PROMPT_TRAIN_DEFAULTS },
  kgcoop: { ...PROMPT_TRAIN_DEFAULTS },
  contcoop: { ...PROMPT_TRAIN_DEFAULTS },
  cocoop: { ...PROMPT_TRAIN_DEFAULTS, batchSize: 4 },
};

export function recipeFor(learner: string, overrides: Partial<Recipe> = {}): Recipe {
  const base = RECIPES[learner] ?? PROMPT_TRAIN_DEFAULTS;
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
