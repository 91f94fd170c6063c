import { packageConfig } from '../../tools/build/tsup-preset.mjs';

// shims: the CJS build needs import.meta.url to find specs/.
export default packageConfig({ shims: true });
