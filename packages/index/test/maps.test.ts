import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@hotplug/runtime';
import { fitMap, IndexInputError, loadMap, mapInfo, mapNames, registerMap, saveMap, StampError, svd, type Matrix } from '../src/index';
import { addNoise, meanSquaredError, randomMatrix, randomRotation, slice, space, times } from './fixtures';

const dirs: string[] = [];
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

function dense(m: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m * n }, () => rng.normal());
}

function checkSvd(a: Float64Array, m: number, n: number) {
  const d = svd(a, m, n);
  const k = Math.min(m, n);
  expect(d.k).toBe(k);
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += d.u[i * k + c]! * d.s[c]! * d.v[j * k + c]!;
      worst = Math.max(worst, Math.abs(s - a[i * n + j]!));
    }
  expect(worst).toBeLessThan(1e-10);
  for (const [mat, rows] of [
    [d.u, m],
    [d.v, n],
  ] as const)
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += mat[i * k + p]! * mat[i * k + q]!;
        expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(1e-10);
      }
  for (let c = 1; c < k; c++) expect(d.s[c]!).toBeLessThanOrEqual(d.s[c - 1]!);
  return d;
}

describe('Jacobi SVD', () => {
  it('reconstructs square, tall and wide matrices with orthonormal factors', () => {
    checkSvd(dense(12, 12, 1), 12, 12);
    checkSvd(dense(20, 7, 2), 20, 7);
    checkSvd(dense(5, 16, 3), 5, 16);
  });

  it('handles a rank-deficient matrix (completes U) and matches known singular values', () => {
    // diag(3, 2, 0) rotated on both sides: singular values 3, 2, 0 exactly.
    const r1 = randomRotation(3, 4);
    const r2 = randomRotation(3, 5);
    const s = [3, 2, 0];
    const a = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) a[i * 3 + j] += r1[i * 3 + c]! * s[c]! * r2[j * 3 + c]!;
    const d = checkSvd(a, 3, 3);
    expect(d.s[0]).toBeCloseTo(3, 10);
    expect(d.s[1]).toBeCloseTo(2, 10);
    expect(d.s[2]).toBeCloseTo(0, 10);
  });
});

describe('procrustes', () => {
  it('recovers a known rotation from noisy pairs', async () => {
    const d = 24;
    const rot = randomRotation(d, 7);
    const x = randomMatrix(2000, d, 8);
    const y = addNoise(times(x, rot, d), 0.01, 9);
    const map = await fitMap('procrustes', { source: x, target: y, from: space('new', d), to: space('old', d) });
    const w = map.params().get('weight')!.data;
    let worst = 0;
    for (let i = 0; i < d * d; i++) worst = Math.max(worst, Math.abs(w[i]! - rot[i]!));
    expect(worst).toBeLessThan(2e-3);
    expect(map.report!.trainMse).toBeLessThan(0.01 * 0.01 * d * 1.2);
    expect(map.report!.identityMse).toBeGreaterThan(10);
  });

  it('fits a semi-orthogonal map between different widths (W^T W = I)', async () => {
    const map = await fitMap('procrustes', {
      source: randomMatrix(300, 16, 1),
      target: randomMatrix(300, 10, 2),
      from: space('new', 16),
      to: space('old', 10),
    });
    const w = map.params().get('weight')!.data;
    for (let p = 0; p < 10; p++)
      for (let q = 0; q < 10; q++) {
        let s = 0;
        for (let i = 0; i < 16; i++) s += w[i * 10 + p]! * w[i * 10 + q]!;
        expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(1e-5);
      }
    expect(Number.isNaN(map.report!.identityMse)).toBe(true);
  });
});

/** old = a nonlinear function of new: rotation plus a componentwise bend, the kind of drift a rotation cannot absorb. */
function nonlinearPair(rows: number, d: number, seed: number): { x: Matrix; y: Matrix } {
  const x = randomMatrix(rows, d, seed);
  const rot = times(x, randomRotation(d, 99), d);
  const y = { ...rot, data: rot.data.map((v, i) => v + 0.6 * Math.tanh(2 * rot.data[(i + 1) % rot.data.length]!) + 0.3 * v * v) };
  return { x, y };
}

describe('low-rank and residual MLP', () => {
  it('fit a nonlinear pair better than identity and Procrustes on held-out pairs', async () => {
    const d = 16;
    const { x, y } = nonlinearPair(3000, d, 21);
    const train = { source: slice(x, 0, 2500), target: slice(y, 0, 2500), from: space('new', d), to: space('old', d) };
    const tx = slice(x, 2500, 3000);
    const ty = slice(y, 2500, 3000);
    const errIdentity = meanSquaredError(tx, ty);
    const errOf = async (kind: string, options: Record<string, unknown> = {}) =>
      meanSquaredError((await fitMap(kind, train, options, { seed: 3 })).apply(tx), ty);
    const errProcrustes = await errOf('procrustes');
    const errLowRank = await errOf('low-rank', { rank: 8 });
    const errMlp = await errOf('residual-mlp', { hidden: 64, epochs: 40, batchSize: 128, learningRate: 3e-3 });
    expect(errProcrustes).toBeLessThan(errIdentity);
    expect(errLowRank).toBeLessThan(errProcrustes * 0.95);
    expect(errMlp).toBeLessThan(errLowRank * 0.8);
  }, 60_000);

  it('low-rank at full rank equals the ridge least-squares affine fit', async () => {
    // Independent reference: with rank = d and ridge ~ 0 the map must reach the unconstrained least-squares optimum,
    // checked through its normal equations: the residual is orthogonal to every input column and to the constant.
    const d = 6;
    const { x, y } = nonlinearPair(400, d, 5);
    const map = await fitMap('low-rank', { source: x, target: y, from: space('n', d), to: space('o', d) }, { rank: d, ridge: 0 });
    const p = map.apply(x);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        let c = 0;
        for (let r = 0; r < x.rows; r++) {
          const e = y.data[r * d + j]! - p.data[r * d + j]!;
          s += x.data[r * d + i]! * e;
          c += e;
        }
        expect(Math.abs(s) / x.rows).toBeLessThan(1e-4);
        expect(Math.abs(c) / x.rows).toBeLessThan(1e-4);
      }
  });

  it('residual MLP training is deterministic given the seed', async () => {
    const { x, y } = nonlinearPair(300, 8, 2);
    const input = { source: x, target: y, from: space('n', 8), to: space('o', 8) };
    const opts = { hidden: 16, epochs: 3 };
    const a = await fitMap('residual-mlp', input, opts, { seed: 5 });
    const b = await fitMap('residual-mlp', input, opts, { seed: 5 });
    const c = await fitMap('residual-mlp', input, opts, { seed: 6 });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });
});

describe('map registry and files', () => {
  it('lists the built-in variants with defaults and refuses duplicates and bad options', async () => {
    expect(mapNames()).toEqual(expect.arrayContaining(['identity', 'procrustes', 'low-rank', 'residual-mlp']));
    expect(mapInfo('low-rank').defaults).toMatchObject({ rank: 16 });
    expect(() => registerMap('procrustes', () => ({}) as never, { defaults: {}, describe: 'x' })).toThrow(/already registered/);
    const input = { source: randomMatrix(10, 4, 1), target: randomMatrix(10, 4, 2), from: space('n', 4), to: space('o', 4) };
    await expect(fitMap('nope', input)).rejects.toThrow(/unknown map variant "nope"/);
    await expect(fitMap('low-rank', input, { rank: 9 })).rejects.toThrow(/rank 9 exceeds/);
    await expect(fitMap('low-rank', input, { rnak: 2 })).rejects.toThrow(/unknown option "rnak"/);
    await expect(fitMap('procrustes', { ...input, target: randomMatrix(9, 4, 2) })).rejects.toThrow(IndexInputError);
  });

  it('saves and loads every variant exactly (same outputs, same fingerprint)', async () => {
    const { x, y } = nonlinearPair(200, 8, 3);
    const input = { source: x, target: slice(y, 0, 200), from: space('n', 8, true), to: { ...space('o', 8, true), dim: 8 } };
    for (const [kind, opts] of [
      ['procrustes', { center: true }],
      ['low-rank', { rank: 3 }],
      ['residual-mlp', { hidden: 8, epochs: 2 }],
    ] as const) {
      const map = await fitMap(kind, input, opts as Record<string, unknown>);
      const dir = mkdtempSync(join(tmpdir(), 'hotplug-map-'));
      dirs.push(dir);
      saveMap(map, dir);
      const back = loadMap(dir);
      expect(back.kind).toBe(kind);
      expect(back.fingerprint).toBe(map.fingerprint);
      expect(back.report?.trainMse).toBe(map.report?.trainMse);
      expect(Array.from(back.apply(x).data)).toEqual(Array.from(map.apply(x).data));
    }
    expect(() => loadMap(join(tmpdir(), 'hotplug-no-such-map'))).toThrow(StampError);
  });
});
