import { z } from 'zod';
import type { BottleneckShape } from '../adapter';

// The options of the three bottleneck-adapter variants (taca-symmetric, parallel, sequential),
// which differ only in where the bottleneck sits.

export type BottleneckOptions = BottleneckShape;

export const BOTTLENECK_DEFAULTS: BottleneckOptions = { bottleneck: 16, activation: 'relu', scale: 1 };

export const BottleneckOptionsSchema = z.strictObject({
  /** Hidden width r of the down/up projections. */
  bottleneck: z
    .number()
    .int()
    .positive()
    .max(1 << 16),
  /** Non-linearity between down and up projection. */
  activation: z.enum(['relu', 'gelu', 'quickgelu']),
  /** Multiplier s of the bottleneck's output. */
  scale: z.number().finite(),
});
