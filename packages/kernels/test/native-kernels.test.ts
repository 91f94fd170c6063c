import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, initBackend } from '../src/index';
import { loadAddon } from '../src/native/addon';
import { SIMD_TABLES } from '../src/native/addon-types';
import { nativeRunCounts } from '../src/native/kernels/common';
import { expectClose, SeededRandom } from './helpers';

// Every overridden kernel against the 'cpu' backend on the same inputs.
const hasNative = (await availableBackends()).includes('hotplug-cpu');
const quiet = { log: () => {} };
const loadedAddon = loadAddon();
// The SIMD tables this CPU can run (a table it cannot run is reported as skipped, not passed).
const supportedTables = 'addon' in loadedAddon ? loadedAddon.addon.info().supportedSimd.split(',') : [];

type Input = { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' };

function floats(rng: SeededRandom, shape: number[], lo = -3, hi = 3): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, dtype: 'float32', values: Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next()) };
}

function ints(shape: number[], values: number[]): Input {
  return { shape, dtype: 'int32', values: Int32Array.from(values) };
}

/** Runs op on one backend from plain arrays; returns shape, values and the tensor count change. */
async function runOn(backend: 'cpu' | 'hotplug-cpu', op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[]) {
  await initBackend(backend, quiet);
  const before = tf.memory().numTensors;
  // Read outside tidy: tidy walks returned containers element by element.
  const out = tf.tidy(() => op(...inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype))));
  const result = { shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync() as Float32Array) };
  out.dispose();
  return { ...result, leaked: tf.memory().numTensors - before };
}

/** Asserts native == cpu and that the native path (not its fallback) ran. */
async function check(kernel: string, op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], rtol = 1e-5, atol = 1e-6, expectNative = true) {
  const runsBefore = nativeRunCounts().get(kernel) ?? 0;
  const native = await runOn('hotplug-cpu', op, inputs);
  const nativeRan = (nativeRunCounts().get(kernel) ?? 0) > runsBefore;
  const cpu = await runOn('cpu', op, inputs);
  const what = `${kernel} on ${inputs.map((i) => `[${i.shape.join(',')}]`).join(' ')}`;
  expect(native.shape, what).toEqual(cpu.shape);
  expect(native.dtype, what).toBe(cpu.dtype);
  expectClose(native.values, cpu.values, rtol, atol, what);
  expect(native.leaked, `${what} leaked tensors`).toBe(0);
  if (expectNative) expect(nativeRan, `${what} ran the cpu fallback instead of native code`).toBe(true);
}

describe.skipIf(!hasNative)('native kernels vs the cpu backend', () => {
  const rng = new SeededRandom(20261123);
  afterAll(() => {
    const loaded = loadAddon();
    if ('addon' in loaded) loaded.addon.setSimd('auto');
  });

  it('setSimd names the table it forced, and refuses an unknown one or one this CPU cannot run', () => {
    if (!('addon' in loadedAddon)) throw new Error(loadedAddon.error);
    const { addon } = loadedAddon;
    expect(supportedTables[supportedTables.length - 1]).toBe('generic');
    for (const table of supportedTables) expect(addon.setSimd(table as (typeof SIMD_TABLES)[number])).toBe(table);
    expect(addon.setSimd('auto')).toBe(supportedTables[0]);
    expect(() => addon.setSimd('sse9' as never)).toThrow(/not a SIMD table this CPU can run/);
    for (const table of SIMD_TABLES.filter((t) => !supportedTables.includes(t))) expect(() => addon.setSimd(table)).toThrow(/this CPU can run/);
  });

  for (const simd of SIMD_TABLES) {
    describe.skipIf(!supportedTables.includes(simd))(`SIMD table ${simd}`, () => {
      beforeAll(() => {
        if ('addon' in loadedAddon) expect(loadedAddon.addon.setSimd(simd)).toBe(simd);
      });

      it('BatchMatMul: all transposes, odd, empty and size-1 dims, batches and broadcast batches', async () => {
        // Exact register tiles (6 x 16 for generic/AVX2, 12 x 32 for AVX-512) and one past them.
        const dims: [number, number, number][] = [
          [1, 1, 1],
          [7, 19, 300],
          [33, 17, 5],
          [6, 16, 256],
          [12, 32, 256],
          [13, 33, 257],
          [97, 130, 67],
          [0, 5, 3],
          [4, 0, 3],
          [4, 5, 0],
          [1, 64, 1],
        ];
        const batches: [number[], number[]][] = [
          [[], []],
          [[3], [3]],
          [
            [2, 3],
            [2, 3],
          ],
          [[1], [4]],
          [[4], [1]],
          [[4], []],
        ];
        for (const [m, n, k] of dims)
          for (const [ba, bb] of batches.slice(0, m * n * k > 5000 ? 2 : batches.length))
            for (const ta of [false, true])
              for (const tb of [false, true]) {
                const a = floats(rng, [...ba, ...(ta ? [k, m] : [m, k])]);
                const b = floats(rng, [...bb, ...(tb ? [n, k] : [k, n])]);
                const op = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb);
                // cpu's kernel only broadcasts batch dims of equal rank; skip what it rejects.
                if (ba.length !== bb.length && ba.length > 0 && bb.length > 0) continue;
                await check('BatchMatMul', op, [a, b], 1e-4, 1e-4, m * n > 0);
              }
      });

      it('BatchMatMul: large enough to use both threads, and unsupported batch broadcasts fall back', async () => {
        await check('BatchMatMul', (x, y) => tf.matMul(x, y), [floats(rng, [300, 200]), floats(rng, [200, 100])], 1e-4, 1e-4);
        // One tall product: B packed once and shared, A blocks spread over threads; K > 256
        // exercises accumulation across packed panels.
        for (const [ta, tb] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          const a = floats(rng, ta ? [300, 401] : [401, 300]);
          const b = floats(rng, tb ? [37, 300] : [300, 37]);
          await check('BatchMatMul', (x, y) => tf.matMul(x, y, ta, tb), [a, b], 1e-4, 1e-4);
        }
        await check('BatchMatMul', (x, y) => tf.matMul(x, y, true, true), [floats(rng, [3, 64, 70]), floats(rng, [3, 50, 64])], 1e-4, 1e-4);
        await check('BatchMatMul', (x, y) => tf.matMul(x, y), [floats(rng, [2, 1, 3, 4]), floats(rng, [1, 3, 4, 5])], 1e-4, 1e-4, false);
      });

      it('threaded kernels give bit-identical results on every run (fixed summation order)', async () => {
        await initBackend('hotplug-cpu', quiet);
        const a = tf.tensor(floats(rng, [257, 300]).values, [257, 300]);
        const b = tf.tensor(floats(rng, [300, 190]).values, [300, 190]);
        const x = tf.tensor(floats(rng, [3000, 64]).values, [3000, 64]);
        const run = () => {
          const outs = [tf.matMul(a, b, false, false), tf.sum(x, 0), tf.softmax(x)];
          const values = outs.map((t) => Array.from(t.dataSync()));
          tf.dispose(outs);
          return values;
        };
        const first = run();
        for (let i = 0; i < 3; i++) expect(run()).toEqual(first);
        tf.dispose([a, b, x]);
      });

      it('_FusedMatMul with bias and relu', async () => {
        for (const activation of ['linear', 'relu'] as const)
          for (const [ta, tb] of [
            [false, false],
            [true, true],
          ]) {
            const a = floats(rng, ta ? [9, 11] : [11, 9]);
            const b = floats(rng, tb ? [13, 9] : [9, 13]);
            const op = (x: tf.Tensor, y: tf.Tensor, bias: tf.Tensor) =>
              tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation });
            await check('_FusedMatMul', op, [a, b, floats(rng, [13])], 1e-4, 1e-4);
          }
        // A prelu activation is outside the native kernel: it must fall back, still correct.
        const op = (x: tf.Tensor, y: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, activation: 'elu' });
        await check('_FusedMatMul', op, [floats(rng, [5, 4]), floats(rng, [4, 3])], 1e-4, 1e-4, false);
      });

      it('Add, Sub, Multiply, RealDiv with broadcasting, empty and size-1 dims', async () => {
        const pairs: [number[], number[]][] = [
          [
            [5, 7],
            [5, 7],
          ],
          [[], []],
          [[3, 4], []],
          [[], [3, 4]],
          [[64, 128], [128]],
          [
            [64, 128],
            [64, 1],
          ],
          [
            [2, 1, 3],
            [4, 1],
          ],
          [
            [1, 5, 1, 3],
            [2, 1, 4, 1],
          ],
          [[0, 3], [3]],
          [[2, 0], [1]],
          [[1], [1, 1, 1]],
          [
            [300, 257],
            [300, 257],
          ],
          [
            [7, 1, 9],
            [7, 5, 9],
          ],
        ];
        const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
          ['Add', tf.add],
          ['Sub', tf.sub],
          ['Multiply', tf.mul],
          ['RealDiv', tf.div],
        ];
        for (const [name, op] of ops)
          for (const [sa, sb] of pairs) {
            // Divisors away from zero keep the comparison about the kernel, not conditioning.
            await check(name, op, [floats(rng, sa), floats(rng, sb, 0.5, 2)], 1e-6, 1e-7);
          }
        // int32 is outside the native kernels: the cpu kernel runs.
        await check('Add', tf.add, [ints([3], [1, 2, 3]), ints([3], [4, 5, 6])], 0, 0, false);
      });

      it('unary ops used by transformers and their gradients', async () => {
        const unary: [string, (x: tf.Tensor) => tf.Tensor, number, number, number, number][] = [
          ['Exp', tf.exp, -10, 10, 2e-6, 1e-30],
          ['Tanh', tf.tanh, -6, 6, 1e-5, 1e-6],
          ['Erf', tf.erf, -4, 4, 1e-5, 2e-7],
          ['Sigmoid', tf.sigmoid, -12, 12, 1e-5, 1e-7],
          ['Rsqrt', tf.rsqrt, 0.01, 10, 1e-6, 0],
          ['Square', tf.square, -5, 5, 1e-6, 0],
          ['Sqrt', tf.sqrt, 0, 10, 1e-6, 0],
          ['Neg', tf.neg, -5, 5, 0, 0],
          ['Log', tf.log, 0.01, 10, 1e-6, 1e-7],
          ['Relu', tf.relu, -5, 5, 0, 0],
          ['Abs', tf.abs, -5, 5, 0, 0],
          ['Reciprocal', tf.reciprocal, 0.1, 5, 1e-6, 0],
        ];
        for (const [name, op, lo, hi, rtol, atol] of unary)
          for (const shape of [[0], [1], [7, 3], [100_003]]) await check(name, op, [floats(rng, shape, lo, hi)], rtol, atol, shape[0] > 0);
        await check('Tanh', tf.tanh, [floats(rng, [1000], -0.05, 0.05)], 1e-5, 1e-7); // near zero, where 1 - e^-2x cancels
        await check('Exp', tf.exp, [{ shape: [4], dtype: 'float32', values: Float32Array.from([100, -100, NaN, 0]) }], 2e-6, 1e-30);
      });

      it('Transpose: random permutations of ranks 1-5, size-1 and empty dims, float32 and int32', async () => {
        for (let trial = 0; trial < 40; trial++) {
          const rank = 1 + rng.int(5);
          const shape = Array.from({ length: rank }, () => [1, 2, 3, 5, 8, 17][rng.int(6)]);
          const perm = Array.from({ length: rank }, (_, i) => i);
          for (let i = rank - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            [perm[i], perm[j]] = [perm[j], perm[i]];
          }
          // tf.transpose clones rank <= 1 tensors without running the kernel.
          await check('Transpose', (x) => tf.transpose(x, perm), [floats(rng, shape)], 0, 0, rank > 1);
        }
        await check('Transpose', (x) => tf.transpose(x, [1, 0]), [floats(rng, [300, 257])], 0, 0);
        await check('Transpose', (x) => tf.transpose(x, [0, 2, 1, 3]), [floats(rng, [4, 50, 4, 32])], 0, 0);
        await check('Transpose', (x) => tf.transpose(x, [2, 0, 1]), [floats(rng, [3, 0, 4])], 0, 0, false);
        await check('Transpose', (x) => tf.transpose(x, [1, 0]), [ints([2, 3], [1, -2, 3, 2147483647, -2147483648, 6])], 0, 0);
      });

      it('Softmax over the last axis, including large logits and size-1 rows', async () => {
        for (const shape of [[5, 7], [3, 1], [2, 3, 1000], [1], [128, 50]])
          await check('Softmax', (x) => tf.softmax(x), [floats(rng, shape, -50, 50)], 2e-5, 1e-7);
      });

      it('Sum, Mean, Max over the last axis, leading axes, all axes; other axes fall back', async () => {
        const ops: [string, (x: tf.Tensor, axis: number | number[], keep: boolean) => tf.Tensor][] = [
          ['Sum', (x, a, k) => tf.sum(x, a, k)],
          ['Mean', (x, a, k) => tf.mean(x, a, k)],
          ['Max', (x, a, k) => tf.max(x, a, k)],
        ];
        const cases: [number[], number | number[], boolean][] = [
          [[5, 7], -1, false],
          [[5, 7], 1, true],
          [[3, 4, 1000], 2, false],
          [[64, 128], 0, false],
          [[2, 3, 33], [0, 1], true],
          [[4, 5, 6], [1, 2], false],
          [[4, 5, 6], [0, 1, 2], false],
          [[1], 0, false],
          [[3000, 17], 0, false],
          [[7, 1], -1, false],
        ];
        for (const [name, op] of ops) {
          // float32 accumulation vs the cpu kernel's float64: allow ~1e-7 per summed element.
          for (const [shape, axis, keep] of cases) await check(name, (x) => op(x, axis, keep), [floats(rng, shape)], 1e-5, 1e-4);
          await check(name, (x) => op(x, 1, false), [floats(rng, [3, 4, 5])], 1e-5, 1e-5, false);
        }
      });

      it('Slice and SplitV: random boxes, full and partial dims, empty slices, int32 and bool', async () => {
        for (let trial = 0; trial < 30; trial++) {
          const rank = 1 + rng.int(4);
          const shape = Array.from({ length: rank }, () => 1 + rng.int(6));
          const begin = shape.map((d) => rng.int(d));
          const size = shape.map((d, i) => (rng.next() < 0.3 ? -1 : rng.int(d - begin[i] + 1)));
          await check('Slice', (x) => tf.slice(x, begin, size), [floats(rng, shape)], 0, 0);
        }
        await check(
          'Slice',
          (x) => tf.slice(x, [0, 1], [2, 2]),
          [
            ints(
              [3, 4],
              Array.from({ length: 12 }, (_, i) => i - 6),
            ),
          ],
          0,
          0,
        );
        await check('Slice', (x) => tf.slice(tf.greater(x, 0), [1, 0], [1, 3]), [floats(rng, [2, 3])], 0, 0);
        await check('SplitV', (x) => tf.concat(tf.split(x, [1, 49], 1).reverse(), 1), [floats(rng, [4, 50, 8])], 0, 0);
        await check('SplitV', (x) => tf.stack(tf.split(x, 3, -1)), [floats(rng, [5, 2, 9])], 0, 0);
        await check('SplitV', (x) => tf.concat(tf.split(x, [2, -1, 0], 0).reverse(), 0), [floats(rng, [6, 3])], 0, 0);
      });

      it('UnsortedSegmentSum (gradient of gather) drops out-of-range ids like tfjs', async () => {
        const x = floats(rng, [9, 3, 5]);
        const ids = ints([9], [2, 0, 2, -1, 4, 9, 0, 3, 2]);
        await check('UnsortedSegmentSum', (a, i) => tf.unsortedSegmentSum(a, i as tf.Tensor1D, 5), [x, ids], 1e-6, 1e-6);
        const table = floats(rng, [50, 64]);
        const gathered = ints(
          [300],
          Array.from({ length: 300 }, () => rng.int(50)),
        );
        const gradOfGather = (t: tf.Tensor, i: tf.Tensor) => tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.gather(p, i))))(t);
        await check('UnsortedSegmentSum', gradOfGather, [table, gathered], 1e-5, 1e-5);
      });
    });
  }
});

describe.skipIf(!hasNative)('native backend process settings', () => {
  it('raises glibc malloc thresholds where the C library is glibc (freed tensor memory is reused)', () => {
    const loaded = loadAddon();
    if (!('addon' in loaded)) throw new Error(loaded.error);
    const header = (process.report.getReport() as unknown as { header: { glibcVersionRuntime?: string } }).header;
    expect(loaded.addon.tuneAllocator()).toBe(header.glibcVersionRuntime !== undefined);
  });

  it('back-to-back parallel jobs of different sizes stay exact (each worker picks up each job once)', async () => {
    await initBackend('hotplug-cpu', quiet);
    const rng = new SeededRandom(7);
    const big = floats(rng, [200, 300]);
    const small = floats(rng, [300, 40]);
    const a = tf.tensor(big.values, big.shape);
    const b = tf.tensor(small.values, small.shape);
    const reference = tf.matMul(a, b).dataSync().slice();
    for (let i = 0; i < 200; i++) {
      // Alternate a threaded product with tiny single-threaded work between jobs.
      const c = tf.matMul(a, b);
      const values = c.dataSync();
      c.dispose();
      tf.dispose(tf.add(tf.scalar(i), tf.scalar(1)));
      expect(Array.from(values)).toEqual(Array.from(reference));
    }
    tf.dispose([a, b]);
  });
});
