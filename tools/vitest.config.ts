import { projectConfig } from './build/vitest-preset.mjs';

export default projectConfig();
