import { packageConfig } from '../../tools/build/tsup-preset.mjs';
import { tfjsGradientsPlugin } from '../../tools/build/tfjs-gradients-plugin.mjs';

export default packageConfig({
  // The one exception to "tfjs is external": tfjs-core's gradient definitions exist only as
  // ES modules, so they are bundled, with their stateful imports sent to the public
  // @tensorflow/tfjs-core (see the plugin) so there is one engine and one Tensor class.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  esbuildPlugins: [tfjsGradientsPlugin()],
  // import.meta.url in the CommonJS build (used to find the native addon).
  shims: true,
});
