import type { OnnxRecorder, Sym } from '@hotplug/backbones';
import type { EmbeddingSpace } from '../space';
import type { Matrix, VectorsInput } from '../matrix';

/** A named float32 parameter, row-major. Linear weights are stored [in, out] (x @ W), as in @hotplug/backbones. */
export interface MapParam {
  shape: number[];
  data: Float32Array;
}

/** Input/output widths of a map. */
export interface MapShape {
  inputDim: number;
  outputDim: number;
}

/** Paired rows: source[i] (new model) should map to target[i] (old model). */
export interface PairedVectors {
  source: Matrix;
  target: Matrix;
}

/** What fitting reports (on the training pairs and, when a holdout is used, on it). */
export interface MapFitReport {
  /** Mean squared error per pair (summed over components) of the identity map (NaN when widths differ). */
  identityMse: number;
  /** The same after the map. */
  trainMse: number;
  /** Mean cosine similarity between mapped source and target on the training pairs. */
  trainCosine: number;
  pairs: number;
  seconds: number;
  /** Gradient-trained variants: the loss per epoch. */
  losses?: number[];
}

/** Passed to a variant's fit: seeded randomness and progress. */
export interface FitContext {
  seed: number;
  /** Called with (done, total) during long fits. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One fitted or fittable map of a variant: fit() sets the parameters, forward() applies them in
 * plain memory (fast: no tensor round trip per query), trace() records the same computation as
 * ONNX nodes.
 */
export interface MapModel {
  readonly params: Map<string, MapParam>;
  fit(pairs: PairedVectors, context: FitContext): Promise<Partial<MapFitReport>> | Partial<MapFitReport>;
  forward(x: Matrix): Matrix;
  trace(rec: OnnxRecorder, x: Sym): Sym;
}

/** Builds an unfitted model of a variant from its resolved options. */
export type MapFactory<O extends object = Record<string, unknown>> = (options: O, shape: MapShape) => MapModel;

/** The declared facts of a variant: its option defaults, a validator, one line of description. */
export interface MapVariantSpec<O extends object = Record<string, unknown>> {
  defaults: O;
  /** Problems with resolved options (empty when fine). */
  validate?: (options: O, shape?: MapShape) => string[];
  describe: string;
}

/**
 * A fitted map from one embedding space (`from`: the new model's) into another (`to`: the
 * table's). `fingerprint` hashes kind, options and weights, so a saved map is identified by it.
 */
export interface SpaceMap {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly from: EmbeddingSpace;
  readonly to: EmbeddingSpace;
  readonly shape: MapShape;
  readonly fingerprint: string;
  readonly report?: MapFitReport;
  /** Maps rows of `from` into `to` (normalised when `to` is). */
  apply(x: VectorsInput): Matrix;
  /** Named parameters (what saveMap writes). */
  params(): Map<string, MapParam>;
  parameterCount(): number;
  /** `kind:fingerprint`, the adapter-chain entry of this map. */
  label(): string;
  /** Records the map into an ONNX graph (input [batch, inputDim] -> output [batch, outputDim]). */
  trace(rec: OnnxRecorder, x: Sym): Sym;
}
