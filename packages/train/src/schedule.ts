/** Learning-rate schedule as data. */
export interface ScheduleConfig {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up from 0 over this many steps. */
  warmupSteps?: number;
  /** After warm-up: 'cosine' decays to lr * minLrRatio at totalSteps; 'constant' stays. */
  kind?: 'cosine' | 'constant';
  minLrRatio?: number;
}

/** Learning rate at a 0-based step (the rate used for the update that makes step+1). */
export function learningRate(config: ScheduleConfig, step: number, totalSteps: number): number {
  const { lr, warmupSteps = 0, kind = 'cosine', minLrRatio = 0 } = config;
  if (warmupSteps > 0 && step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (kind === 'constant') return lr;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  const min = lr * minLrRatio;
  return min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
