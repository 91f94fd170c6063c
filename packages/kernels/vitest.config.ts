import { projectConfig } from '../../tools/build/vitest-preset.mjs';

export default projectConfig({
  test: {
    // tfjs-core's gradient definitions are ES modules inside a CommonJS package: let vitest
    // transform them (the built package bundles them instead).
    server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core\.node)/] } },
  },
});
