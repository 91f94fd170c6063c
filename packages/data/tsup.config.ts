import { packageConfig } from '../../tools/build/tsup-preset.mjs';

// shims: import.meta.url in the CJS build (used to find the package's splits/ folder and its npm sources).
export default packageConfig({ shims: true });
