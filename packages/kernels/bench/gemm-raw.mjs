// GEMM of the native addon alone (no tfjs: no output allocation, no kernel dispatch), to
// separate the kernel from the framework. HOTPLUG_THREADS=1 measures one core.
//   node bench/gemm-raw.mjs [runs=9]   (after npm run build)
import { createRequire } from 'node:module';

const addon = createRequire(import.meta.url)('../build/Release/hotplug_kernels.node');
const runs = Number(process.argv[2] ?? 9);
const { threads, simd } = addon.info();
console.log(`native GEMM, ${threads} threads, ${simd}, median of ${runs} runs (GFLOP/s)`);
for (const n of [256, 512, 1024]) {
  const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(n * n);
  const cells = [];
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ]) {
    addon.matmul(a, b, c, 1, 0, 0, n, n, n, ta, tb);
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      addon.matmul(a, b, c, 1, 0, 0, n, n, n, ta, tb);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    samples.sort((x, y) => x - y);
    const gflops = (2 * n ** 3) / samples[runs >> 1] / 1e9;
    cells.push(`${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'} ${gflops.toFixed(1).padStart(6)}`);
  }
  console.log(`  ${String(n).padStart(4)}²  ${cells.join('   ')}`);
}
