// Benchmark of every available backend: GEMM GFLOP/s (256/512/1024 square, four transpose
// combinations) and one ViT training step (forward + backward + Adam), median of N runs,
// with ratios against wasm measured in the same run.
//   npm run bench -w @hotplug/kernels [-- --runs 5 --backends hotplug-cpu,wasm,cpu --sizes 256,512,1024]
//   npm run bench -w @hotplug/kernels -- --against torch [--python /usr/bin/python3]   (see against-torch.mjs)
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { adam, availableBackends, initBackend } from '../dist/index.js';
import { createVit, disposeVit, VIT_BENCH_CONFIG, vitLoss } from './vit.mjs';

// `--against torch`: the side-by-side run against PyTorch instead (bench/against-torch.mjs).
if (process.argv.includes('--against')) {
  const peer = process.argv[process.argv.indexOf('--against') + 1];
  if (peer !== 'torch') throw new Error(`--against ${peer}: the only peer is 'torch'`);
  await import('./against-torch.mjs');
  process.exit(0);
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Math.max(5, Number(option('runs', '5')));
const sizes = option('sizes', '256,512,1024').split(',').map(Number);
const available = await availableBackends();
const backends = option('backends', available.join(','))
  .split(',')
  .filter((b) => available.includes(b));
const vitBackends = option('vit-backends', backends.filter((b) => b !== 'cpu').join(','))
  .split(',')
  .filter((b) => backends.includes(b));
const combos = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const comboName = ([ta, tb]) => `${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// CPU seconds (all threads of this process) of the last time() call, per run: on a shared
// machine, work / CPU-second shows what the code does with the cores it actually got.
let lastCpuSecondsPerRun = 0;

/**
 * Median seconds of `runs` timed calls after a warm-up of at least 3 calls and 0.3 s: the
 * first few dozen products of a process run while the malloc heap grows (fresh pages fault
 * in at ~0.5 ms per MiB here), which is start-up cost, not the kernel's steady speed.
 */
function time(fn, count = runs) {
  const warmUntil = performance.now() + 300;
  for (let w = 0; w < 3 || performance.now() < warmUntil; w++) fn();
  const samples = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  lastCpuSecondsPerRun = (cpu.user + cpu.system) / 1e6 / count;
  return median(samples);
}

function gemmSeconds(n, ta, tb, count) {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  // The block body returns nothing: tf.tidy walks a returned typed array element by element.
  const s = time(() => {
    const c = tf.matMul(a, b, ta, tb);
    c.dataSync();
    c.dispose();
  }, count);
  tf.dispose([a, b]);
  return s;
}

function vitStepSeconds() {
  const model = createVit(VIT_BENCH_CONFIG, 7);
  const { batch, tokens, patchDim, classes } = VIT_BENCH_CONFIG;
  const patches = tf.randomNormal([batch, tokens - 1, patchDim], 0, 1, 'float32', 3);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % classes),
    'int32',
  );
  const optimizer = adam(1e-3);
  const stepAndSync = () => {
    const loss = optimizer.minimize(() => vitLoss(model, patches, labels), true);
    loss.dataSync();
    loss.dispose();
  };
  // The first step creates Adam's moment buffers; count tensors after it.
  stepAndSync();
  const before = tf.memory().numTensors;
  const s = time(stepAndSync);
  const leaked = tf.memory().numTensors - before;
  optimizer.dispose();
  tf.dispose([patches, labels]);
  disposeVit(model);
  return { seconds: s, leaked };
}

const fmt = (x, digits = 1) => x.toFixed(digits).padStart(7);
const results = {};
console.log(`@hotplug/kernels benchmark — ${new Date().toISOString()}; node ${process.version}; backends: ${backends.join(', ')}; median of ${runs} runs`);
for (const backend of backends) {
  const report = await initBackend(backend, { log: () => {} });
  const extra = report.threads ? ` (${report.threads} threads, ${report.simd})` : '';
  console.log(`\n[${backend}]${extra}`);
  results[backend] = { gemm: {} };
  for (const n of sizes) {
    // The plain cpu backend needs ~2 s per 1024² product: fewer (still >= 5) runs there.
    const perCpuSecond = [];
    const line = combos.map((c) => {
      const s = gemmSeconds(n, c[0], c[1], runs);
      const gflops = (2 * n ** 3) / s / 1e9;
      results[backend].gemm[`${n}:${comboName(c)}`] = gflops;
      perCpuSecond.push(`${comboName(c)} ${fmt((2 * n ** 3) / lastCpuSecondsPerRun / 1e9)}`);
      return `${comboName(c)} ${fmt(gflops)}`;
    });
    console.log(`  GEMM ${String(n).padStart(4)}²  GFLOP/s: ${line.join('   ')}`);
    console.log(`             GFLOP per CPU-second: ${perCpuSecond.join('   ')}`);
  }
  if (vitBackends.includes(backend)) {
    const { seconds, leaked } = vitStepSeconds();
    results[backend].vit = seconds;
    console.log(
      `  ViT step (width ${VIT_BENCH_CONFIG.width}, depth ${VIT_BENCH_CONFIG.depth}, ${VIT_BENCH_CONFIG.tokens} tokens, batch ${VIT_BENCH_CONFIG.batch}): ${(seconds * 1000).toFixed(0)} ms${leaked ? `  (WARNING: ${leaked} tensors leaked per step)` : ''}`,
    );
  } else {
    console.log('  ViT step: not run on this backend (pass --vit-backends to include it; cpu takes ~30 s per step)');
  }
}

if (results.wasm) {
  console.log('\nRatios against wasm (same run; > 1 means faster than wasm):');
  for (const backend of backends.filter((b) => b !== 'wasm')) {
    const parts = [];
    for (const n of sizes) {
      const r = combos.map((c) => results[backend].gemm[`${n}:${comboName(c)}`] / results.wasm.gemm[`${n}:${comboName(c)}`]);
      parts.push(`GEMM ${n}²: ${r.map((x) => `${x.toFixed(1)}×`).join(' ')}`);
    }
    if (results[backend].vit && results.wasm.vit) parts.push(`ViT step: ${(results.wasm.vit / results[backend].vit).toFixed(1)}×`);
    console.log(`  ${backend}: ${parts.join('; ')}`);
  }
}
