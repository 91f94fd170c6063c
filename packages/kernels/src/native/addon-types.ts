/** The functions the compiled addon (native/*.cc) exports. Arrays are used zero-copy. */
export interface NativeAddon {
  /** simd: the table in use; supportedSimd: the tables this CPU can run, best first, comma-separated. */
  info(): { threads: number; simd: string; supportedSimd: string };
  /** Raises glibc's mmap/trim thresholds so freed tensor memory is reused without page faults; false where not glibc. */
  tuneAllocator(): boolean;
  /**
   * 'auto' picks the best table the CPU can run (AVX-512F, then AVX2/FMA, then portable); a
   * table's name forces it (throws a RangeError when this CPU cannot run it). Returns the table in use.
   */
  setSimd(mode: SimdTable | 'auto'): string;
  /** C[b] = op(A[b]) op(B[b]); batch strides in elements (0 broadcasts one matrix). */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    aBatchStride: number,
    bBatchStride: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** out = a (op) b with per-dimension element strides (0 = broadcast) over outShape. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, outShape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** 4-byte elements: x of `shape` permuted by `perm` into out. */
  transpose(x: Float32Array, out: Float32Array, shape: Int32Array, perm: Int32Array): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** op 0 sum, 1 mean, 2 max; over the last axis (rows x cols -> rows) or the leading axes (-> cols). */
  reduceLast(op: number, x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  reduceLeading(op: number, x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out[ids[r], :] += x[r, :]; ids outside [0, segments) are dropped (tfjs semantics). */
  /** Fused LayerNorm over rows x cols: writes y, and mean / rstd per row for the backward pass. */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** kind 0: exact (erf) GELU, 1: x sigmoid(1.702 x). */
  gelu(kind: number, x: Float32Array, y: Float32Array): void;
  geluGrad(kind: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** Attention over `pairs` (batch x heads) pairs: q [pairs, tq, d], k [pairs, tk, d], v [pairs, tk, dv] -> out, p (probabilities). */
  attention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    out: Float32Array,
    p: Float32Array,
    pairs: number,
    tq: number,
    tk: number,
    d: number,
    dv: number,
    scale: number,
    causal: boolean,
  ): void;
  attentionGrad(
    dout: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    p: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    pairs: number,
    tq: number,
    tk: number,
    d: number,
    dvDim: number,
    scale: number,
  ): void;
  /** One Adam step into new arrays (tfjs AdamOptimizer's formula); c1, c2 = 1 - beta^t bias corrections. */
  adamUpdate(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    valueOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    c1: number,
    c2: number,
  ): void;
  /** y = act(x w + b), activation -1 none, 0 gelu, 1 quick gelu; z receives the pre-activation when act >= 0. */
  linear(
    x: Float32Array,
    w: Float32Array,
    b: Float32Array | null,
    y: Float32Array,
    z: Float32Array | null,
    rows: number,
    inDim: number,
    outDim: number,
    activation: number,
  ): void;
  linearGrad(
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    z: Float32Array | null,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
    rows: number,
    inDim: number,
    outDim: number,
    activation: number,
  ): void;
  /** Mean softmax cross-entropy of logits vs a probability table (both rows x classes); writes logProbs, returns the loss. */
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, logProbs: Float32Array, rows: number, classes: number): number;
  softmaxCrossEntropyGrad(
    dy: number,
    logProbs: Float32Array,
    labels: Float32Array,
    dLogits: Float32Array,
    dLabels: Float32Array,
    rows: number,
    classes: number,
  ): void;
  segmentSum(x: Float32Array, ids: Int32Array, out: Float32Array, rows: number, inner: number, segments: number): void;
}

/** The SIMD tables compiled into the addon, best first (native/dispatch.cc). */
export const SIMD_TABLES = ['avx512f', 'avx2-fma', 'generic'] as const;
export type SimdTable = (typeof SIMD_TABLES)[number];

// Keys are tfjs kernel names; values the addon's op codes (native/simd.h).
export const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
export const UNARY_OPS = {
  Exp: 0,
  Tanh: 1,
  Erf: 2,
  Sigmoid: 3,
  Rsqrt: 4,
  Square: 5,
  Sqrt: 6,
  Neg: 7,
  Log: 8,
  Relu: 9,
  Abs: 10,
  Reciprocal: 11,
} as const;
export const REDUCE_OPS = { Sum: 0, Mean: 1, Max: 2 } as const;
