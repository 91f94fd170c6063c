import { projectConfig } from '../../tools/build/vitest-preset.mjs';

export default projectConfig();
