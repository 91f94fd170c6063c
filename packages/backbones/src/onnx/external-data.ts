import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import protobuf from 'protobufjs';
import { OnnxModelError } from '../errors';

// Every place of onnx.proto where a TensorProto can sit (initializers, sparse initializers,
// node attributes, subgraphs, functions, training graphs), with only the fields that say where
// a tensor's bytes live. Unlisted fields (raw_data included) are skipped by the decoder.
const schema = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            graph: { type: 'GraphProto', id: 7 },
            trainingInfo: { rule: 'repeated', type: 'TrainingInfoProto', id: 20 },
            functions: { rule: 'repeated', type: 'FunctionProto', id: 25 },
          },
        },
        TrainingInfoProto: { fields: { initialization: { type: 'GraphProto', id: 1 }, algorithm: { type: 'GraphProto', id: 2 } } },
        FunctionProto: { fields: { node: { rule: 'repeated', type: 'NodeProto', id: 7 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            sparseInitializer: { rule: 'repeated', type: 'SparseTensorProto', id: 15 },
          },
        },
        NodeProto: { fields: { attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 } } },
        AttributeProto: {
          fields: {
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
            graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
            sparseTensor: { type: 'SparseTensorProto', id: 22 },
            sparseTensors: { rule: 'repeated', type: 'SparseTensorProto', id: 23 },
          },
        },
        SparseTensorProto: { fields: { values: { type: 'TensorProto', id: 1 }, indices: { type: 'TensorProto', id: 2 } } },
        TensorProto: {
          fields: {
            name: { type: 'string', id: 8 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
          },
        },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      },
    },
  },
};

const ModelLocations = protobuf.Root.fromJSON(schema).lookupType('onnx.ModelProto');
/** TensorProto.DataLocation.EXTERNAL */
const EXTERNAL = 1;

interface Tensor {
  name?: string;
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
}
interface Graph {
  node?: { attribute?: Attribute[] }[];
  initializer?: Tensor[];
  sparseInitializer?: Sparse[];
}
interface Attribute {
  t?: Tensor;
  g?: Graph;
  tensors?: Tensor[];
  graphs?: Graph[];
  sparseTensor?: Sparse;
  sparseTensors?: Sparse[];
}
interface Sparse {
  values?: Tensor;
  indices?: Tensor;
}
interface Model {
  graph?: Graph;
  trainingInfo?: { initialization?: Graph; algorithm?: Graph }[];
  functions?: { node?: { attribute?: Attribute[] }[] }[];
}

/** One tensor whose bytes live in another file. */
export interface ExternalDataRef {
  tensor: string;
  location: string;
  offset: number;
  length: number | undefined;
}

/** Every tensor of a serialized ONNX model that refers to external data. */
export function externalDataRefs(bytes: Uint8Array, file: string): ExternalDataRef[] {
  let model: Model;
  try {
    model = ModelLocations.toObject(ModelLocations.decode(bytes), { defaults: false, longs: Number }) as Model;
  } catch (err) {
    throw new OnnxModelError({ file, problem: `not an ONNX model: the protobuf does not decode (${(err as Error).message})`, fix: 'Export the model again' });
  }
  if (!model.graph) throw new OnnxModelError({ file, problem: 'not an ONNX model: it has no graph', expected: 'a ModelProto with a graph' });
  const refs: ExternalDataRef[] = [];
  const seen = new Set<object>();
  const tensor = (t: Tensor | undefined) => {
    if (!t) return;
    const entries = t.externalData ?? [];
    if (t.dataLocation !== EXTERNAL && entries.length === 0) return;
    const get = (k: string) => entries.find((e) => e.key === k)?.value;
    const num = (k: string) => {
      const v = get(k);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v))
        throw new OnnxModelError({
          file,
          field: `tensor "${t.name ?? '?'}" external_data.${k}`,
          problem: `external data ${k} ${JSON.stringify(v)} is not a non-negative integer`,
        });
      return Number(v);
    };
    refs.push({ tensor: t.name ?? '?', location: get('location') ?? '', offset: num('offset') ?? 0, length: num('length') });
  };
  const sparse = (s: Sparse | undefined) => {
    tensor(s?.values);
    tensor(s?.indices);
  };
  const nodes = (list: { attribute?: Attribute[] }[] | undefined) => {
    for (const n of list ?? [])
      for (const a of n.attribute ?? []) {
        tensor(a.t);
        a.tensors?.forEach(tensor);
        sparse(a.sparseTensor);
        a.sparseTensors?.forEach(sparse);
        graph(a.g);
        a.graphs?.forEach(graph);
      }
  };
  const graph = (g: Graph | undefined) => {
    if (!g || seen.has(g)) return;
    seen.add(g);
    g.initializer?.forEach(tensor);
    g.sparseInitializer?.forEach(sparse);
    nodes(g.node);
  };
  graph(model.graph);
  for (const t of model.trainingInfo ?? []) {
    graph(t.initialization);
    graph(t.algorithm);
  }
  for (const f of model.functions ?? []) nodes(f.node);
  return refs;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Checks every external-data reference of the model at `modelPath` against `allowedDir`:
 * the location is a relative path that, resolved as onnxruntime resolves it (against the
 * model's folder) and with symbolic links followed, names an existing file inside
 * `allowedDir`, and offset + length stay within that file.
 */
export function confineExternalData(refs: readonly ExternalDataRef[], modelPath: string, allowedDir: string | undefined): void {
  if (refs.length === 0) return;
  const listed = refs
    .slice(0, 3)
    .map((r) => `"${r.tensor}" -> ${JSON.stringify(r.location)}`)
    .join(', ');
  if (allowedDir === undefined)
    throw new OnnxModelError({
      file: modelPath,
      field: `tensor "${refs[0]!.tensor}"`,
      problem: `the model keeps ${refs.length} tensor(s) in external files (${listed}${refs.length > 3 ? ', ...' : ''}), which are refused by default`,
      fix: 'If you trust the model, pass { externalDataDir: FOLDER } with the folder its data files must lie in',
    });
  let root: string;
  try {
    root = realpathSync(allowedDir);
  } catch (err) {
    throw new OnnxModelError({
      file: modelPath,
      field: 'externalDataDir',
      problem: `externalDataDir ${allowedDir} cannot be opened (${(err as Error).message})`,
      fix: 'Pass an existing folder',
    });
  }
  const base = dirname(resolve(modelPath));
  for (const r of refs) {
    const field = `tensor "${r.tensor}" external_data.location`;
    const refuse = (problem: string): never => {
      throw new OnnxModelError({
        file: modelPath,
        field,
        problem,
        expected: `a relative path to a file inside ${allowedDir}`,
        fix: "Keep the model's data files inside externalDataDir",
      });
    };
    if (r.location === '' || r.location.includes('\0')) refuse(`external data location ${JSON.stringify(r.location)} is empty or invalid`);
    if (isAbsolute(r.location)) refuse(`external data location ${JSON.stringify(r.location)} is an absolute path`);
    const target = resolve(base, r.location);
    if (!inside(root, target) && !inside(resolve(allowedDir), target))
      refuse(`external data location ${JSON.stringify(r.location)} resolves outside externalDataDir`);
    let real: string;
    let size: number;
    try {
      real = realpathSync(target);
      size = statSync(real).size;
    } catch {
      refuse(`external data file ${JSON.stringify(r.location)} does not exist`);
    }
    if (!inside(root, real!)) refuse(`external data location ${JSON.stringify(r.location)} is a link to a file outside externalDataDir`);
    const end = r.offset + (r.length ?? 0);
    if (r.offset > size! || end > size!)
      refuse(`external data of ${JSON.stringify(r.location)} spans bytes ${r.offset}..${end} but the file has ${size!} bytes`);
  }
}
