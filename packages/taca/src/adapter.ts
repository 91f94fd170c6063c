import * as tf from '@tensorflow/tfjs-core';
import type { EncoderHooks, TensorOps, VisionTransformer } from '@hotplug/backbones';
import { Rng } from '@hotplug/runtime';
import type { AdapterConfig } from './config';
import { AdapterConfigError, allocationBudget } from './registry';

export type BottleneckActivation = 'relu' | 'gelu' | 'quickgelu';

/** The shape of the encoder's blocks an adapter is built for, and the dimension it must land in. */
export interface AdapterTarget {
  /** Residual width of the new encoder's blocks. */
  width: number;
  depth: number;
  /** Attention heads per block. */
  heads: number;
  /** Hidden width of each block's MLP (fc1's output, fc2's input): width x mlpRatio. */
  mlpWidth: number;
  /** The new encoder's embedding dimension. */
  embedDim: number;
  /** The old model's embedding dimension (what its heads and indexes expect). */
  oldEmbedDim: number;
}

export function adapterTarget(visual: VisionTransformer, oldEmbedDim: number): AdapterTarget {
  const v = visual.config.vision;
  return { width: v.width, depth: v.depth, heads: v.heads, mlpWidth: v.width * v.mlpRatio, embedDim: visual.embedDim, oldEmbedDim };
}

/**
 * A trained (or trainable) adapter: its variables, the hooks that insert it into the
 * frozen encoder, and the map of the final embedding into the old space. Everything is
 * written against TensorOps, so the same adapter runs in tfjs and records into ONNX.
 */
export interface Adapter {
  readonly config: AdapterConfig<object>;
  readonly target: AdapterTarget;
  /** Every adapter variable by name (the names are also the ONNX initializer names). */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Hooks inserted into the encoder's blocks (absent for output-only variants). */
  readonly hooks?: EncoderHooks;
  /** Whether an output projection into the old embedding dimension exists. */
  readonly hasOutputProjection: boolean;
  /** The embedding mapped into the old model's space (identity without an output projection). */
  project<T>(ops: TensorOps<T>, embedding: T): T;
  /** Number of trainable scalars. */
  parameterCount(): number;
  dispose(): void;
}

/** Raised when the adapted encoder could not produce features of the old model's dimension. */
export class AdapterDimensionError extends Error {
  constructor(
    readonly newDim: number,
    readonly oldDim: number,
    detail: string,
  ) {
    super(`the new encoder embeds into ${newDim} dims but the old model's space has ${oldDim}: ${detail}`);
    this.name = 'AdapterDimensionError';
  }
}

/** Names of a bottleneck's four variables: x -> act(x·down + downBias)·up + upBias. */
export interface BottleneckNames {
  down: string;
  downBias: string;
  up: string;
  upBias: string;
}

export function activate<T>(ops: TensorOps<T>, x: T, activation: BottleneckActivation): T {
  return activation === 'relu' ? ops.relu(x) : activation === 'gelu' ? ops.gelu(x) : ops.quickGelu(x);
}

/** How a bottleneck's hidden layer is shaped and how much of it is added. */
export interface BottleneckShape {
  /** Hidden width r of the down/up projections. */
  bottleneck: number;
  activation: BottleneckActivation;
  /** Multiplier of the bottleneck's output. */
  scale: number;
}

/**
 * Collects an adapter's variables (seeded or constant initialisation) and assembles the Adapter.
 * A variant's factory uses it to create weights and then passes its hooks to `build`.
 */
export class AdapterBuilder {
  readonly params = new Map<string, tf.Variable>();
  private readonly rng: Rng;

  constructor(
    readonly config: AdapterConfig<object>,
    readonly target: AdapterTarget,
  ) {
    this.rng = new Rng(`taca/${config.variant}/${config.seed}`);
    for (const b of config.blocks ?? [])
      if (b >= target.depth)
        throw new AdapterConfigError(
          `adapter blocks ${JSON.stringify(config.blocks)} name block ${b}, but the encoder has ${target.depth} blocks (0..${target.depth - 1})`,
        );
  }

  /** The blocks hooks apply to (the config's list, or every block). */
  get blocks(): number[] {
    return this.config.blocks ?? Array.from({ length: this.target.depth }, (_, i) => i);
  }

  private add(name: string, shape: number[], fill: (values: Float32Array) => void): string {
    if (this.params.has(name)) throw new Error(`adapter variable "${name}" is created twice`);
    if (!shape.every((d) => Number.isInteger(d) && d > 0))
      throw new AdapterConfigError(`adapter variable "${name}" needs a shape of positive integers, got [${shape}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    // createAdapter's bound (loadAdapter: the manifest's parameter count) is checked before allocating.
    const budget = allocationBudget();
    budget.parametersCreated += size;
    if (budget.parameterLimit !== undefined && budget.parametersCreated > budget.parameterLimit) {
      this.disposeAll();
      throw new AdapterConfigError(`this ${this.config.variant} config needs more than the ${budget.parameterLimit} parameters allowed (at "${name}")`);
    }
    const values = new Float32Array(size);
    fill(values);
    const initial = tf.tensor(values, shape, 'float32');
    this.params.set(name, tf.variable(initial, true));
    initial.dispose(); // the variable keeps the data; the initial tensor would otherwise stay counted
    return name;
  }

  private disposeAll(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  /** Values from N(0, std²), seeded by the config's seed and variant. */
  normal(name: string, shape: number[], std: number): string {
    return this.add(name, shape, (values) => {
      for (let i = 0; i < values.length; i++) values[i] = this.rng.normal() * std;
    });
  }

  /** Every value `value` (e.g. a scaling vector that starts as the identity: 1). */
  constant(name: string, shape: number[], value: number): string {
    if (!Number.isFinite(value)) throw new AdapterConfigError(`adapter variable "${name}": constant must be finite, got ${value}`);
    return this.add(name, shape, (values) => values.fill(value));
  }

  zeros(name: string, shape: number[]): string {
    return this.add(name, shape, () => {});
  }

  ones(name: string, shape: number[]): string {
    return this.constant(name, shape, 1);
  }

  /** A [n, m] matrix with ones on the diagonal (the identity map when square). */
  identity(name: string, n: number, m: number): string {
    return this.add(name, [n, m], (values) => {
      for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
    });
  }

  /** A variable's value inside hooks: `ops.weight(name, variable)`, so it records into ONNX too. */
  weight<T>(ops: TensorOps<T>, name: string): T {
    const v = this.params.get(name);
    if (!v) throw new Error(`adapter variable "${name}" was not created`);
    return ops.weight(name, v);
  }

  /** Down projection N(0, in^-1/2) and a zero up projection, so the adapter starts as a no-op. */
  bottleneck(prefix: string, inDim: number, outDim: number, r: number): BottleneckNames {
    return {
      down: this.normal(`${prefix}.down.weight`, [inDim, r], inDim ** -0.5),
      downBias: this.zeros(`${prefix}.down.bias`, [r]),
      up: this.zeros(`${prefix}.up.weight`, [r, outDim]),
      upBias: this.zeros(`${prefix}.up.bias`, [outDim]),
    };
  }

  /** scale · (act(x·down + b) · up + c), recorded with the given ops. */
  applyBottleneck<T>(ops: TensorOps<T>, x: T, names: BottleneckNames, shape: Pick<BottleneckShape, 'activation' | 'scale'>): T {
    const w = (n: string) => this.weight(ops, n);
    const hidden = activate(ops, ops.linear(x, w(names.down), w(names.downBias)), shape.activation);
    const y = ops.linear(hidden, w(names.up), w(names.upBias));
    return shape.scale === 1 ? y : ops.scale(y, shape.scale);
  }

  /**
   * Finishes the adapter. An output projection is created when the config asks for it
   * ('always'), when dimensions differ ('auto'), or when the variant needs one anyway
   * (`forceProjection`, the projection baseline). It starts as the identity when square.
   */
  build(hooks: EncoderHooks | undefined, options: { forceProjection?: boolean } = {}): Adapter {
    const { embedDim, oldEmbedDim } = this.target;
    const mode = this.config.outputProjection;
    const differ = embedDim !== oldEmbedDim;
    if (differ && mode === 'never' && !options.forceProjection)
      throw new AdapterDimensionError(
        embedDim,
        oldEmbedDim,
        `outputProjection is 'never'; set it to 'auto' (adds a learned ${embedDim}->${oldEmbedDim} map) or use the 'projection' variant`,
      );
    const withProjection = options.forceProjection || mode === 'always' || differ;
    let proj: { weight: string; bias: string } | null = null;
    if (withProjection) {
      const weight = differ
        ? this.normal('adapter.output_proj.weight', [embedDim, oldEmbedDim], embedDim ** -0.5)
        : this.identity('adapter.output_proj.weight', embedDim, oldEmbedDim);
      proj = { weight, bias: this.zeros('adapter.output_proj.bias', [oldEmbedDim]) };
    }
    const params = this.params;
    const config = this.config;
    const target = this.target;
    const blocks = this.blocks;
    return {
      config,
      target,
      params,
      hooks: hooks ? { ...hooks, blocks } : undefined,
      hasOutputProjection: proj !== null,
      project<T>(ops: TensorOps<T>, embedding: T): T {
        if (!proj) return embedding;
        return ops.linear(embedding, ops.weight(proj.weight, params.get(proj.weight)!), ops.weight(proj.bias, params.get(proj.bias)!));
      },
      parameterCount: () => [...params.values()].reduce((n, v) => n + v.size, 0),
      dispose() {
        for (const v of params.values()) v.dispose();
        params.clear();
      },
    };
  }
}
