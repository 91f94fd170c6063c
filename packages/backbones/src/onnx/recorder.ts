import type * as tf from '@tensorflow/tfjs-core';
import type { TensorOps } from '../ops/types';
import { AttributeType, DataType, ModelProto } from './proto';

/** A value in the graph being recorded; -1 in a shape is the dynamic batch dimension. */
export interface Sym {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int64';
}

type Attr = number | number[] | { floats: number[] } | { float: number };

interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1 && x !== -1 && y !== -1) throw new Error(`ONNX export: shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * Implements the encoders' tensor vocabulary by appending ONNX nodes (opset 17). Running an
 * encoder (and any installed adapter hooks) with this recorder yields the ONNX graph.
 */
export class OnnxRecorder implements TensorOps<Sym> {
  readonly kind = 'onnx' as const;
  private readonly nodes: object[] = [];
  private readonly initializers = new Map<string, Initializer>();
  private readonly weights = new Map<string, { sym: Sym; tensorId: number }>();
  private readonly inputs: Sym[] = [];
  private readonly outputs: Sym[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private node(op: string, inputs: readonly Sym[], shape: readonly number[], attrs: Record<string, Attr> = {}, dtype: Sym['dtype'] = 'float32'): Sym {
    const out: Sym = { name: this.fresh(op), shape, dtype };
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
      if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
      if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
      return { name, type: AttributeType.FLOATS, floats: v.floats };
    });
    this.nodes.push({ opType: op, name: out.name, input: inputs.map((i) => i.name), output: [out.name], attribute });
    return out;
  }

  private initializer(name: string, dims: number[], dtype: Sym['dtype'], bytes: Uint8Array): Sym {
    this.initializers.set(name, { name, dims, dataType: dtype === 'float32' ? DataType.FLOAT : DataType.INT64, rawData: bytes });
    return { name, shape: dims, dtype };
  }

  constantFloat(values: ArrayLike<number>, shape: number[]): Sym {
    const data = Float32Array.from(values);
    return this.initializer(this.fresh('const'), shape, 'float32', new Uint8Array(data.buffer));
  }

  constantInt(values: number[], shape: number[] = [values.length]): Sym {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.initializer(this.fresh('const'), shape, 'int64', new Uint8Array(data.buffer));
  }

  /** Declares a graph input. */
  input(name: string, shape: number[], dtype: Sym['dtype']): Sym {
    const sym = { name, shape, dtype };
    this.inputs.push(sym);
    return sym;
  }

  /** Declares a graph output under a stable name. */
  output(value: Sym, name: string): void {
    this.nodes.push({ opType: 'Identity', name: `${name}_identity`, input: [value.name], output: [name], attribute: [] });
    this.outputs.push({ name, shape: value.shape, dtype: value.dtype });
  }

  weight(name: string, value: tf.Tensor): Sym {
    const existing = this.weights.get(name);
    if (existing) {
      if (existing.tensorId !== value.id)
        throw new Error(`ONNX export: weight name "${name}" is used for two different tensors; give each adapter weight its own name`);
      return existing.sym;
    }
    const data = value.dataSync();
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    const sym = this.initializer(name, [...value.shape], 'float32', new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
    this.weights.set(name, { sym, tensorId: value.id });
    return sym;
  }

  add = (a: Sym, b: Sym) => this.node('Add', [a, b], broadcast(a.shape, b.shape));
  sub = (a: Sym, b: Sym) => this.node('Sub', [a, b], broadcast(a.shape, b.shape));
  mul = (a: Sym, b: Sym) => this.node('Mul', [a, b], broadcast(a.shape, b.shape));
  scale = (a: Sym, factor: number) => this.node('Mul', [a, this.constantFloat([factor], [])], a.shape);

  linear(x: Sym, weight: Sym, bias?: Sym): Sym {
    const inDim = x.shape[x.shape.length - 1];
    if (weight.shape[0] !== inDim) throw new Error(`ONNX export: linear input width ${inDim} does not match weight [${weight.shape}]`);
    const y = this.node('MatMul', [x, weight], [...x.shape.slice(0, -1), weight.shape[1]!]);
    return bias ? this.add(y, bias) : y;
  }

  layerNorm = (x: Sym, gamma: Sym, beta: Sym, epsilon: number) =>
    this.node('LayerNormalization', [x, gamma, beta], x.shape, { axis: -1, epsilon: { float: epsilon } });

  gelu(x: Sym): Sym {
    // Exact (erf) GELU: 0.5 * x * (1 + erf(x / sqrt 2)).
    const erf = this.node('Erf', [this.scale(x, Math.SQRT1_2)], x.shape);
    return this.mul(this.scale(x, 0.5), this.add(erf, this.constantFloat([1], [])));
  }

  quickGelu = (x: Sym) => this.mul(x, this.sigmoid(this.scale(x, 1.702)));
  relu = (x: Sym) => this.node('Relu', [x], x.shape);
  tanh = (x: Sym) => this.node('Tanh', [x], x.shape);
  sigmoid = (x: Sym) => this.node('Sigmoid', [x], x.shape);

  attention(q: Sym, k: Sym, v: Sym, options: { causal: boolean; scale: number }): Sym {
    const [b, h, t, d] = q.shape as [number, number, number, number];
    const kt = this.node('Transpose', [k], [b, h, d, t], { perm: [0, 1, 3, 2] });
    let scores = this.scale(this.node('MatMul', [q, kt], [b, h, t, t]), options.scale);
    if (options.causal) {
      if (t < 0) throw new Error('ONNX export: causal attention needs a fixed token count');
      const mask = new Float32Array(t * t);
      for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) mask[i * t + j] = -1e9;
      scores = this.add(scores, this.constantFloat(mask, [t, t]));
    }
    const probs = this.node('Softmax', [scores], scores.shape, { axis: -1 });
    return this.node('MatMul', [probs, v], [b, h, t, d]);
  }

  splitHeads(x: Sym, heads: number): Sym {
    const [b, t, w] = x.shape as [number, number, number];
    const r = this.node('Reshape', [x, this.constantInt([0, 0, heads, w / heads])], [b, t, heads, w / heads]);
    return this.node('Transpose', [r], [b, heads, t, w / heads], { perm: [0, 2, 1, 3] });
  }

  mergeHeads(x: Sym): Sym {
    const [b, h, t, d] = x.shape as [number, number, number, number];
    const tr = this.node('Transpose', [x], [b, t, h, d], { perm: [0, 2, 1, 3] });
    return this.node('Reshape', [tr, this.constantInt([0, 0, h * d])], [b, t, h * d]);
  }

  /** [B, C, H, W] -> [B, H, W, C]. */
  toNhwc(x: Sym): Sym {
    const [b, c, h, w] = x.shape as [number, number, number, number];
    return this.node('Transpose', [x], [b, h, w, c], { perm: [0, 2, 3, 1] });
  }

  patchEmbed(images: Sym, weight: Sym, patchSize: number): Sym {
    const [b, hgt, wid] = images.shape as [number, number, number, number];
    const [, , c, w] = weight.shape as [number, number, number, number];
    const gh = Math.floor(hgt / patchSize);
    const gw = Math.floor(wid / patchSize);
    const nchw = this.node('Transpose', [images], [b, c, hgt, wid], { perm: [0, 3, 1, 2] });
    const oihw = this.node('Transpose', [weight], [w, c, patchSize, patchSize], { perm: [3, 2, 0, 1] });
    const conv = this.node('Conv', [nchw, oihw], [b, w, gh, gw], { kernel_shape: [patchSize, patchSize], strides: [patchSize, patchSize] });
    const flat = this.node('Reshape', [conv, this.constantInt([0, w, -1])], [b, w, gh * gw]);
    return this.node('Transpose', [flat], [b, gh * gw, w], { perm: [0, 2, 1] });
  }

  prependToken(x: Sym, token: Sym): Sym {
    const [b, n, w] = x.shape as [number, number, number];
    const batch = this.node('Slice', [this.node('Shape', [x], [3], {}, 'int64'), this.constantInt([0]), this.constantInt([1])], [1], {}, 'int64');
    const target = this.node('Concat', [batch, this.constantInt([1, w])], [3], { axis: 0 }, 'int64');
    const tok = this.node('Reshape', [token, this.constantInt([1, 1, w])], [1, 1, w]);
    const tiled = this.node('Expand', [tok, target], [b, 1, w]);
    return this.node('Concat', [tiled, x], [b, n + 1, w], { axis: 1 });
  }

  selectToken(x: Sym, index: number): Sym {
    return this.node('Gather', [x, this.constantInt([index], [])], [x.shape[0]!, x.shape[2]!], { axis: 1 });
  }

  gatherTokens(x: Sym, positions: Sym): Sym {
    const idx = this.node('Unsqueeze', [positions, this.constantInt([1])], [positions.shape[0]!, 1], {}, 'int64');
    return this.node('GatherND', [x, idx], [x.shape[0]!, x.shape[2]!], { batch_dims: 1 });
  }

  embed(table: Sym, ids: Sym): Sym {
    return this.node('Gather', [table, ids], [...ids.shape, table.shape[1]!], { axis: 0 });
  }

  firstIndexOf(ids: Sym, tokenId: number): Sym {
    const eq = this.node('Equal', [ids, this.constantInt([tokenId], [])], ids.shape, {}, 'int64');
    const asFloat = this.node('Cast', [eq], ids.shape, { to: DataType.FLOAT });
    return this.node('ArgMax', [asFloat], [ids.shape[0]!], { axis: 1, keepdims: 0 }, 'int64');
  }

  matmul(a: Sym, b: Sym): Sym {
    if (a.shape[a.shape.length - 1] !== b.shape[b.shape.length - 2]) throw new Error(`ONNX export: matmul of [${a.shape}] and [${b.shape}] does not fit`);
    return this.node('MatMul', [a, b], [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]!]);
  }

  softmax = (x: Sym) => this.node('Softmax', [x], x.shape, { axis: -1 });

  concat(xs: readonly Sym[], axis: number): Sym {
    if (!xs.length) throw new Error('ONNX export: concat of nothing');
    if (!Number.isInteger(axis) || axis < 0) throw new Error(`ONNX export: concat axis must be a non-negative integer, got ${axis}`);
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((sum, x) => (sum < 0 || x.shape[axis]! < 0 ? -1 : sum + x.shape[axis]!), 0);
    return this.node('Concat', xs, shape, { axis });
  }

  l2Normalize(x: Sym): Sym {
    const keep = [...x.shape.slice(0, -1), 1];
    const sq = this.node('ReduceSum', [this.mul(x, x), this.constantInt([-1])], keep, { keepdims: 1 });
    const norm = this.node('Max', [this.node('Sqrt', [sq], keep), this.constantFloat([1e-12], [])], keep);
    return this.node('Div', [x, norm], x.shape);
  }

  /** Serialises the recorded graph as an ONNX ModelProto. */
  toBytes(graphName: string, metadata: Record<string, string> = {}): Uint8Array {
    const valueInfo = (s: Sym) => ({
      name: s.name,
      type: {
        tensorType: {
          elemType: s.dtype === 'float32' ? DataType.FLOAT : DataType.INT64,
          shape: { dim: s.shape.map((d) => (d < 0 ? { dimParam: 'batch' } : { dimValue: d })) },
        },
      },
    });
    const model = {
      irVersion: 8,
      producerName: 'hotplug',
      producerVersion: '0',
      opsetImport: [{ domain: '', version: 17 }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: [...this.initializers.values()],
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`ONNX export produced an invalid model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
