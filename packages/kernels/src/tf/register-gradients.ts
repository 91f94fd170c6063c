// tfjs-core's Node entry point (dist/tf-core.node.js) ships no gradient definitions: they
// live only in its ES-module tree. Importing that tree here makes the build bundle it, and
// its registrations land in tfjs' global gradient registry (shared by every copy of
// tfjs-core), so tf.grad / optimizers work for anyone who imports @hotplug/kernels.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
