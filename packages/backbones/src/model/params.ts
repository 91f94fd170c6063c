import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@hotplug/runtime';

export type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' } | { kind: 'constant'; value: number };

/** Named variables of one model, in creation order; the names are the checkpoint keys. */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  /** `skipInit`: every variable starts at zero (weights are about to be loaded; random init of a ViT-B takes tens of seconds). */
  constructor(
    private readonly rng: Rng,
    private readonly skipInit = false,
  ) {}

  create(name: string, shape: number[], init: Init): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter "${name}" created twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (!this.skipInit) {
      if (init.kind === 'normal') for (let i = 0; i < size; i++) data[i] = this.rng.normal() * init.std;
      else if (init.kind === 'ones') data.fill(1);
      else if (init.kind === 'constant') data.fill(init.value);
    }
    // The variable shares the initial tensor's data; dispose the tensor so the variable owns it alone.
    const initial = tf.tensor(data, shape, 'float32');
    const variable = tf.variable(initial, true, `${name.replace(/[^A-Za-z0-9_./-]/g, '_')}_${nextId++}`);
    initial.dispose();
    this.vars.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named "${name}"`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  disposePrefix(prefix: string): void {
    for (const [name, v] of [...this.vars.entries()]) {
      if (!name.startsWith(prefix)) continue;
      v.dispose();
      this.vars.delete(name);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

let nextId = 0;

/** Assigns checked values to named variables; the caller has already validated names and shapes. */
export function assignValue(variable: tf.Variable, values: Float32Array, shape: readonly number[]): void {
  tf.tidy(() => variable.assign(tf.tensor(values, shape as number[], 'float32')));
}
