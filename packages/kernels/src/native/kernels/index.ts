import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon-types';

/** The native kernel table: one config per overridden tfjs kernel. */
export function nativeKernels(_addon: NativeAddon): KernelConfig[] {
  return [];
}
