import { packageConfig } from '../../tools/build/tsup-preset.mjs';

export default packageConfig({
  // Bundled on purpose: tfjs-core's gradient definitions exist only as ES modules.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  // Optional backends are loaded at run time when present, never bundled.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // import.meta.url in the CommonJS build (used to find the native addon).
  shims: true,
});
