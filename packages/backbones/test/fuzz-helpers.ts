// Shared by the fuzz and regression tests: an ONNX model builder that can place an initializer in
// external data. Outcome counting and the memory / written-files checks are tools/test-support/fuzz.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

// ONNX, written here with the field numbers of onnx.proto (independent of the package's writer).
const onnx = protobuf.Root.fromJSON({
  nested: {
    M: { fields: { irVersion: { type: 'int64', id: 1 }, graph: { type: 'G', id: 7 }, opsetImport: { rule: 'repeated', type: 'Op', id: 8 } } },
    Op: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    G: {
      fields: {
        node: { rule: 'repeated', type: 'N', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'T', id: 5 },
        input: { rule: 'repeated', type: 'V', id: 11 },
        output: { rule: 'repeated', type: 'V', id: 12 },
      },
    },
    N: {
      fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, opType: { type: 'string', id: 4 } },
    },
    T: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        name: { type: 'string', id: 8 },
        rawData: { type: 'bytes', id: 9 },
        externalData: { rule: 'repeated', type: 'KV', id: 13 },
        dataLocation: { type: 'int32', id: 14 },
      },
    },
    KV: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    V: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TP', id: 2 } } },
    TP: { fields: { tensorType: { type: 'TT', id: 1 } } },
    TT: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'SP', id: 2 } } },
    SP: { fields: { dim: { rule: 'repeated', type: 'D', id: 1 } } },
    D: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
}).lookupType('M');

/**
 * embedding = Flatten(images + W), images [N, 1, 1, 4], W [1, 1, 1, 4] float32: either
 * stored inline or as external data at `location` (offset 0, 16 bytes).
 */
export function addModel(weights: Float32Array, location?: string): Uint8Array {
  const value = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const w =
    location === undefined
      ? { name: 'W', dims: [1, 1, 1, 4], dataType: 1, rawData: new Uint8Array(weights.buffer, weights.byteOffset, 16) }
      : {
          name: 'W',
          dims: [1, 1, 1, 4],
          dataType: 1,
          dataLocation: 1,
          externalData: [
            { key: 'location', value: location },
            { key: 'offset', value: '0' },
            { key: 'length', value: '16' },
          ],
        };
  return onnx
    .encode(
      onnx.fromObject({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 13 }],
        graph: {
          name: 'g',
          node: [
            { input: ['images', 'W'], output: ['y'], opType: 'Add' },
            { input: ['y'], output: ['embedding'], opType: 'Flatten' },
          ],
          initializer: [w],
          input: [value('images', ['N', 1, 1, 4])],
          output: [value('embedding', ['N', 4])],
        },
      }),
    )
    .finish();
}

export function writeBytes(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
