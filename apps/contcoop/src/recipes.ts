import type { PromptTrainConfig } from '@hotplug/contcoop';

/** The learners of the compatibility table, in report order. */
export const TABLE_LEARNERS = ['zeroshot', 'coop', 'cocoop', 'kgcoop', 'contcoop'] as const;

/** Training fields a spec may set (no paths or callbacks). */
export type TrainingFields = Partial<Pick<PromptTrainConfig, 'steps' | 'batchSize' | 'lr' | 'warmupSteps' | 'weightDecay' | 'clipGradNorm'>>;

/**
 * Where a learner's recipe departs from @hotplug/contcoop's PROMPT_TRAIN_DEFAULTS (200 AdamW
 * steps, lr 2e-3, batch 32). CoCoOp runs the text encoder on batch x classes prompts per step,
 * so it trains with small batches (its paper uses 1) to keep a table run in minutes.
 */
export const RECIPES: Record<string, TrainingFields> = {
  cocoop: { batchSize: 4 },
};

/** Learners whose prompts depend on the image (a prompt per test image): evaluated on a sample in the table. */
export const CONDITIONAL_LEARNERS: readonly string[] = ['cocoop'];

const defined = (o: TrainingFields): TrainingFields => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A learner's recipe: its own fields, then the command line's (which win). */
export function recipeFor(learner: string, overrides: TrainingFields = {}): TrainingFields {
  return { ...RECIPES[learner], ...defined(overrides) };
}
