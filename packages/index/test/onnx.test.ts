import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { fitMap, identityMap, MAP_ONNX_INPUT, MAP_ONNX_OUTPUT, mapToOnnx, type SpaceMap } from '../src/index';
import { randomMatrix, space } from './fixtures';

async function maxOnnxDifference(map: SpaceMap, rows: number): Promise<number> {
  const x = randomMatrix(rows, map.shape.inputDim, 77);
  const session = await ort.InferenceSession.create(mapToOnnx(map));
  try {
    const out = await session.run({ [MAP_ONNX_INPUT]: new ort.Tensor('float32', x.data, [rows, x.dim]) });
    const got = out[MAP_ONNX_OUTPUT]!;
    expect(got.dims).toEqual([rows, map.shape.outputDim]);
    const want = map.apply(x).data;
    const data = got.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(data[i]! - want[i]!));
    return worst;
  } finally {
    await session.release();
  }
}

describe('ONNX export of maps (onnxruntime-node against the plain-memory forward)', () => {
  const source = randomMatrix(400, 12, 1);
  const target = randomMatrix(400, 8, 2);
  for (const normalized of [false, true])
    for (const [kind, options] of [
      ['procrustes', { center: true }],
      ['low-rank', { rank: 4 }],
      ['residual-mlp', { hidden: 16, epochs: 2 }],
      ['residual-mlp', { hidden: 16, epochs: 2, activation: 'tanh' }],
    ] as const)
      it(`${kind} ${JSON.stringify(options)}${normalized ? ', normalised spaces' : ''} matches within 1e-5`, async () => {
        const map = await fitMap(kind, { source, target, from: space('n', 12, normalized), to: space('o', 8, normalized) }, options as Record<string, unknown>);
        expect(await maxOnnxDifference(map, 33)).toBeLessThan(1e-5);
      });

  it('the identity declaration exports too', async () => {
    expect(await maxOnnxDifference(identityMap(space('n', 8, false, ['taca-symmetric:00']), space('o', 8)), 5)).toBe(0);
  });
});
