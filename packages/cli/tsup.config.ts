import { packageConfig } from '../../tools/build/tsup-preset.mjs';

export default packageConfig();
