import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

// tfjs-core's Optimizer.applyGradients argument (its NamedTensor / NamedVariableMap types are not exported).
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';

// The fields of tfjs' AdamOptimizer this subclass reads (private in its typings).
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
}

/**
 * tfjs' AdamOptimizer (same state, weights, serialisation and results) whose update runs as
 * one HotplugAdam kernel per variable where the backend has it, instead of ~13 tfjs ops per
 * variable; elsewhere it is tfjs' own update.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!backendHasKernel(FUSED_KERNELS.adam)) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    // The bias corrections as tfjs computes them (float32 running products of beta).
    const c1 = 1 - self.accBeta1.dataSync()[0];
    const c2 = 1 - self.accBeta2.dataSync()[0];
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient: Tensor | undefined = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : (variableGradients as Record<string, Tensor>)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = runKernel(
          FUSED_KERNELS.adam,
          { value, m, v, gradient },
          { learningRate: self.learningRate, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, c1, c2 },
        );
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/** Adam as `tf.train.adam(learningRate, beta1, beta2, epsilon)`, with the fused update on hotplug-cpu. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
