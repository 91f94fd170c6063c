import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon-types';
import { elementwiseKernels } from './elementwise';
import { layoutKernels } from './layout';
import { matmulKernels } from './matmul';
import { sliceKernels } from './slice';

/** The native kernel table: one config per overridden tfjs kernel. */
export function nativeKernels(addon: NativeAddon): KernelConfig[] {
  return [...matmulKernels(addon), ...elementwiseKernels(addon), ...layoutKernels(addon), ...sliceKernels(addon)];
}
