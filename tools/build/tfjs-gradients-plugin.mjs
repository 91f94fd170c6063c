// esbuild plugin for the one deep tfjs import we bundle (@tensorflow/tfjs-core/dist/register_all_gradients).
//
// Why: tfjs-core's Node entry (dist/tf-core.node.js, CommonJS) ships no gradient definitions; they
// exist only in its ES-module tree, which Node cannot `require`. Bundling that tree as is brings a
// second engine, Tensor class and registries: whichever copy loads first becomes the global one,
// and under CommonJS that was the bundled copy, whose Tensor methods have no op handler
// ("Cannot read properties of null (reading 'cast')"). So the gradient files and the pure op
// functions they call are bundled, but every module of the tree that holds state is replaced by
// the public, external `@tensorflow/tfjs-core`: one engine, one Tensor class, one registry.
// esbuild checks each imported name against the shim below, so a tfjs update that imports
// something new from these modules fails the build instead of loading undefined.
const STATEFUL = /(?:^|\/)(engine|tensor|environment|global_util|kernel_registry|base|globals|flags|gradients|tape)(?:\.js)?$/;
const TREE = /[\\/]@tensorflow[\\/]tfjs-core[\\/]dist[\\/]/;

const SHIM = `
import * as tf from '@tensorflow/tfjs-core';
export const ENGINE = tf.engine();
export const env = tf.env;
export const tidy = tf.tidy;
export const registerGradient = tf.registerGradient;
export const Tensor = tf.Tensor;
export const backend_util = tf.backend_util;
// The public package registers its Tensor class as the global one before anything here runs.
export const getGlobalTensorClass = () => tf.Tensor;
`;

export function tfjsGradientsPlugin() {
  return {
    name: 'hotplug-tfjs-gradients',
    setup(build) {
      build.onResolve({ filter: STATEFUL }, (args) => (TREE.test(args.importer) ? { path: 'tfjs-core-public', namespace: 'hotplug-tfjs-shim' } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'hotplug-tfjs-shim' }, () => ({
        contents: SHIM,
        loader: 'js',
        resolveDir: process.cwd(),
      }));
    },
  };
}
