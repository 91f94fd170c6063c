// Issue 18, case 7: direct calls into the native addon with sizes whose products wrap 64 bits, negative
// strides, NaN / fractional / huge sizes must throw (a RangeError or TypeError naming the function),
// never read or write outside the arrays. Fuzzed with fast-check; the tally goes into the closing note.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/native/addon';
import { fuzzTally } from '../../../tools/test-support/fuzz';

const loaded = loadAddon();
const addon = 'addon' in loaded ? loaded.addon : undefined;
// Printed after the suite; the clear-error criterion depends on the function called (see classify).
const tally = fuzzTally('native addon', { unit: 'calls', acceptedMeans: 'in bounds, checked against a reference' });

const f32 = (n: number, seed = 1) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 13) - 6);

/** Runs a call; a throw must be a RangeError/TypeError whose message names the function. */
function classify(name: string, call: () => void): 'threw' | 'ran' {
  const named = (err: unknown) => (err instanceof RangeError || err instanceof TypeError) && (err.message.startsWith(name) || / must be /.test(err.message));
  return tally.runSync(call, named) === 'accepted' ? 'ran' : 'threw';
}

function refMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = s;
    }
  return c;
}

describe.skipIf(!addon)('native addon boundary (regression)', () => {
  it('refuses matmul dimensions whose product wraps 64 bits', () => {
    const a = f32(16),
      b = f32(16),
      out = new Float32Array(16);
    expect(() => addon!.matmul(a, b, out, 1, 0, 0, 2 ** 32, 2 ** 32, 2 ** 32, false, false)).toThrow('matmul: sizes overflow 64 bits');
    expect(() => addon!.matmul(a, b, out, 2 ** 40, 2 ** 30, 0, 1, 1, 1, false, false)).toThrow('matmul: sizes overflow 64 bits');
    // 2^33 * 2^31 = 2^64 wraps to 0 in 64-bit arithmetic: the old length checks passed and the kernel ran off the arrays.
    expect(() => addon!.matmul(a, b, out, 1, 0, 0, 2 ** 33, 1, 2 ** 31, false, false)).toThrow(RangeError);
  });
  it('refuses negative strides (they would read before the array)', () => {
    const a = f32(8),
      b = f32(8),
      out = new Float32Array(8);
    expect(() => addon!.binary(0, a, b, out, Int32Array.of(8), Int32Array.of(-1), Int32Array.of(1))).toThrow('binary: shape and strides must be >= 0');
    expect(() => addon!.binary(0, a, b, out, Int32Array.of(2, 4), Int32Array.of(4, 1), Int32Array.of(-4, 1))).toThrow('binary: shape and strides must be >= 0');
    expect(() => addon!.matmul(a, b, out, 2, -4, 0, 2, 2, 1, false, false)).toThrow('aBatchStride must be an integer >= 0');
  });
  it('refuses NaN, fractional and huge sizes instead of truncating them', () => {
    const x = f32(6),
      out = new Float32Array(6);
    expect(() => addon!.softmax(x, out, NaN, 6)).toThrow('rows must be an integer >= 0');
    expect(() => addon!.softmax(x, out, 1.5, 4)).toThrow('rows must be an integer >= 0');
    expect(() => addon!.softmax(x, out, 2 ** 60, 2 ** 10)).toThrow(/rows must be an integer >= 0 \(at most 2\^53\)/);
    expect(() => addon!.transpose(x, out, Int32Array.of(-2, -3), Int32Array.of(1, 0))).toThrow('transpose: shape must be >= 0');
    expect(() => addon!.segmentSum(x, Int32Array.of(0, 1), out, 2 ** 31, 2 ** 31, 1)).toThrow(RangeError);
  });
  it('still computes in-bounds calls correctly', () => {
    const a = f32(6),
      b = f32(12, 3),
      out = new Float32Array(8);
    addon!.matmul(a, b, out, 1, 0, 0, 2, 4, 3, false, false);
    expect([...out]).toEqual([...refMatmul(a, b, 2, 4, 3)]);
  });
});

describe.skipIf(!addon)('native addon boundary fuzz', () => {
  const size = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 2 ** 31, 2 ** 32, 2 ** 33, 2 ** 53, 2 ** 62, 2 ** 64, NaN, Infinity, 0.5, -0));
  it('matmul with arbitrary batch, strides and dimensions', () => {
    fc.assert(
      fc.property(fc.tuple(size, size, size, size, size, size), fc.boolean(), fc.boolean(), ([batch, sa, sb, m, n, k], ta, tb) => {
        const a = f32(24),
          b = f32(24, 5),
          out = new Float32Array(24).fill(7);
        const outcome = classify('matmul', () => addon!.matmul(a, b, out, batch, sa, sb, m, n, k, ta, tb));
        if (outcome === 'ran' && batch === 1 && !ta && !tb) expect([...out.subarray(0, m * n)]).toEqual([...refMatmul(a, b, m, n, k)]);
        if (outcome === 'ran') expect(out.subarray(batch * m * n).every((v) => v === 7)).toBe(true); // nothing written past the result
      }),
      { numRuns: 400, seed: 18 },
    );
  });
  it('binary, transpose, softmax, reductions, segmentSum with arbitrary shapes and strides', () => {
    const dims = fc.array(fc.oneof(fc.integer({ min: -3, max: 4 }), fc.constantFrom(2 ** 30, -(2 ** 31), 2 ** 31 - 1)), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(dims, dims, dims, (shape, sa, sb) => {
        const a = f32(32),
          b = f32(32),
          out = new Float32Array(32);
        classify('binary', () => addon!.binary(0, a, b, out, Int32Array.from(shape), Int32Array.from(sa), Int32Array.from(sb)));
        classify('transpose', () => addon!.transpose(a, out, Int32Array.from(shape), Int32Array.from(shape.map((_, i) => shape.length - 1 - i))));
      }),
      { numRuns: 300, seed: 18 },
    );
    fc.assert(
      fc.property(size, size, size, (rows, cols, segments) => {
        const x = f32(24),
          out = new Float32Array(24);
        classify('softmax', () => addon!.softmax(x, out, rows, cols));
        classify('reduce', () => addon!.reduceLast(0, x, out.subarray(0, Number.isInteger(rows) && rows >= 0 && rows <= 24 ? rows : 0), rows, cols));
        classify('segmentSum', () =>
          addon!.segmentSum(x, new Int32Array(Number.isInteger(rows) && rows >= 0 && rows <= 24 ? rows : 0), out.subarray(0, 12), rows, cols, segments),
        );
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});
