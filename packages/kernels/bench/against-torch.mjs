// Side-by-side benchmark against PyTorch (OpenBLAS sgemm + its CPU kernels) in one run: the
// same GEMMs (256/512/1024², four transpose combinations), the ViT training step of
// bench/vit.mjs and the CLIP contrastive step of bench/clip.mjs. The two runtimes alternate
// call by call (a Python child, bench/torch_peer.py, times one call per request), so load from
// other processes hits both alike; medians of >= 7 calls after a warm-up.
//   node bench/against-torch.mjs [--python /usr/bin/python3] [--runs 7] [--sizes 256,512,1024] [--only gemm,vit,clip]
//   npm run bench -w @hotplug/kernels -- --against torch
// Without a python that imports torch and numpy it says so and prints hotplug's figures alone.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { adam, initBackend } from '../dist/index.js';
import { CLIP_BENCH_CONFIG, clipBenchInputs, clipLoss, createClipBench } from './clip.mjs';
import { createVit, disposeModel, VIT_BENCH_CONFIG, vitLoss } from './vit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Math.max(7, Number(option('runs', '7')));
const sizes = option('sizes', '256,512,1024').split(',').map(Number);
const only = option('only', 'gemm,vit,clip').split(',');
const torchThreads = Number(option('torch-threads', '2'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** --python if given (only that one), else the first of python3 on PATH and /usr/bin/python3 (Debian's) that imports torch and numpy. */
function findPython() {
  const tried = [];
  const given = option('python', null);
  for (const py of given ? [given] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, version: r.stdout.trim(), tried };
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()}`);
  }
  return { python: null, tried };
}

/** The Python peer: request one timed call, get its seconds back. */
async function startPeer(python, configs) {
  // OpenBLAS: 2 threads, and its own CPU detection (this machine's default environment pins
  // OPENBLAS_CORETYPE=Haswell, which halves its sgemm) — for the child only.
  const env = { ...process.env, OMP_NUM_THREADS: String(torchThreads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const child = spawn(python, [join(here, 'torch_peer.py'), String(torchThreads)], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  let exited = null;
  lines.on('line', (l) => (waiting.length ? waiting.shift().resolve(l) : queued.push(l)));
  child.on('exit', (code) => {
    exited = new Error(`torch peer (bench/torch_peer.py) exited with code ${code}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = () =>
    new Promise((resolve, reject) => {
      if (queued.length) return resolve(queued.shift());
      if (exited) return reject(exited);
      waiting.push({ resolve, reject });
    });
  child.stdin.write(`${JSON.stringify(configs)}\n`);
  const hello = JSON.parse(await next());
  return {
    hello,
    async time(key) {
      child.stdin.write(`${JSON.stringify({ key })}\n`);
      return JSON.parse(await next()).s;
    },
    close() {
      child.stdin.end();
    },
  };
}

function timeSync(fn) {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

// hotplug's side of each workload: a function doing one call (synchronised), and its cleanup.
function gemmWorkload(n, ta, tb) {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  return {
    run: () => {
      const c = tf.matMul(a, b, ta, tb);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

function stepWorkload(model, lossFn, inputs) {
  const optimizer = adam(1e-3);
  return {
    run: () => {
      const loss = optimizer.minimize(() => lossFn(model, inputs), true);
      loss.dataSync();
      loss.dispose();
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose(Object.values(inputs).filter((v) => v instanceof tf.Tensor));
      disposeModel(model);
    },
  };
}

function vitWorkload() {
  const model = createVit(VIT_BENCH_CONFIG, 7);
  const { batch, tokens, patchDim, classes } = VIT_BENCH_CONFIG;
  const patches = tf.randomNormal([batch, tokens - 1, patchDim], 0, 1, 'float32', 3);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % classes),
    'int32',
  );
  return stepWorkload(model, (m, i) => vitLoss(m, i.patches, i.labels), { patches, labels });
}

function clipWorkload(inputs) {
  return stepWorkload(createClipBench(CLIP_BENCH_CONFIG, 7), clipLoss, inputs);
}

const { python, tried } = findPython();
const report = await initBackend(undefined, { log: () => {} });
const clipModelForInputs = createClipBench(CLIP_BENCH_CONFIG, 7);
const clipInputs = clipBenchInputs(clipModelForInputs);
disposeModel(clipModelForInputs);
const configs = { vit: VIT_BENCH_CONFIG, clip: { ...CLIP_BENCH_CONFIG, ids: Array.from(clipInputs.ids32), eot: Array.from(clipInputs.eot) } };

console.log(
  `@hotplug/kernels vs PyTorch — ${new Date().toISOString()}; node ${process.version}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`hotplug: backend ${report.name}${report.threads ? ` (${report.threads} threads, ${report.simd})` : ''}`);
let peer = null;
if (python) {
  peer = await startPeer(python, configs);
  console.log(
    `torch: ${python} (torch ${peer.hello.torch}, ${peer.hello.threads} threads, ${peer.hello.capability}, BLAS ${peer.hello.blas}; OMP_NUM_THREADS=${torchThreads}, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)`,
  );
} else {
  console.log(`torch: not found — no python with torch and numpy (${tried.join('; ')}); pass --python PATH. hotplug's figures alone:`);
}
console.log(`median of ${runs} calls each after a warm-up, hotplug and torch alternating call by call; a shared machine makes single calls noisy\n`);

const rows = [];
async function measure(label, key, makeWorkload, flops) {
  const work = makeWorkload();
  // Warm-up: >= 3 calls and 0.3 s on hotplug (heap growth, packed buffers), 3 on torch.
  const warmUntil = performance.now() + 300;
  for (let w = 0; w < 3 || performance.now() < warmUntil; w++) work.run();
  if (peer) for (let w = 0; w < 3; w++) await peer.time(key);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timeSync(work.run));
    if (peer) theirs.push(await peer.time(key));
  }
  work.dispose();
  const h = median(ours);
  const t = peer ? median(theirs) : null;
  const row = { label, hotplugMs: h * 1000, torchMs: t === null ? null : t * 1000, flops };
  rows.push(row);
  const fmtMs = (s) => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  const rate = (s) => (flops ? ` ${(flops / s / 1e9).toFixed(1).padStart(6)} GFLOP/s` : '');
  const ratio = t === null ? '' : flops ? `   hotplug/torch throughput ${(t / h).toFixed(2)}×` : `   hotplug time / torch time ${(h / t).toFixed(2)}`;
  console.log(`${label.padEnd(24)} hotplug ${fmtMs(h).padStart(9)}${rate(h)}${t === null ? '' : `   torch ${fmtMs(t).padStart(9)}${rate(t)}`}${ratio}`);
}

if (only.includes('gemm')) {
  for (const n of sizes)
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ]) {
      const name = `${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`;
      await measure(`GEMM ${n}² ${name}`, `gemm:${n}:${ta ? 1 : 0}:${tb ? 1 : 0}`, () => gemmWorkload(n, ta, tb), 2 * n ** 3);
    }
}
if (only.includes('vit')) await measure('ViT step (vit.mjs)', 'vit', vitWorkload);
if (only.includes('clip')) await measure('CLIP step (clip.mjs)', 'clip', () => clipWorkload(clipInputs));
tf.dispose([clipInputs.patches, clipInputs.ids, clipInputs.eotRows]);
peer?.close();

if (peer) {
  const gemm = rows.filter((r) => r.flops);
  if (gemm.length) {
    const ratios = gemm.map((r) => r.torchMs / r.hotplugMs);
    console.log(`\nGEMM throughput hotplug/torch: min ${Math.min(...ratios).toFixed(2)}×, median ${median(ratios).toFixed(2)}× (target >= 0.9×)`);
  }
  for (const r of rows.filter((x) => !x.flops)) console.log(`${r.label}: hotplug takes ${(r.hotplugMs / r.torchMs).toFixed(2)}× torch's time (target <= 0.6)`);
}
