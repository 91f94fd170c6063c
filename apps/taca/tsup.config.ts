import { packageConfig } from '../../tools/build/tsup-preset.mjs';

// shims: the CJS build needs import.meta.url (to tell whether it was run as the CLI).
export default packageConfig({ shims: true });
