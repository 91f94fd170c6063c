/**
 * The hyper-parameters every training run in hotplug states, as data. Each app's recipe
 * (pretraining, TaCA adapters, prompt learners) extends this with its own fields.
 */
export interface TrainingRecipe {
  steps: number;
  /** Examples per step. */
  batchSize: number;
  /** Peak learning rate of AdamW, reached after the warm-up. */
  lr: number;
  warmupSteps: number;
  /** Decoupled (AdamW) weight decay. */
  weightDecay: number;
  /** Global L2 norm the gradients are clipped to. */
  clipGradNorm: number;
  /** Seed of the batch order (and of whatever else the app derives from it). */
  seed: number;
}
