// Where one training step spends its time, per tfjs kernel, on one backend: the ViT step of
// bench/vit.mjs and the CLIP contrastive step of bench/clip.mjs. Per kernel: time, calls,
// bytes moved (inputs read + outputs written, 4 bytes per element) and the rate that gives;
// per step: time inside kernels vs outside them (op dispatch, tape, gradient bookkeeping:
// the per-op overhead), and kernels of the native backend that fell back to the cpu one.
//   node bench/profile.mjs [hotplug-cpu|wasm|cpu] [--model vit|clip|both] [--markdown]   (after npm run build)
import * as tf from '@tensorflow/tfjs-core';
import { adam, initBackend, nativeRunCounts } from '../dist/index.js';
import { CLIP_BENCH_CONFIG, clipBenchInputs, clipLoss, createClipBench } from './clip.mjs';
import { createVit, disposeModel, VIT_BENCH_CONFIG, vitLoss } from './vit.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const backend = args[0] && !args[0].startsWith('--') ? args[0] : 'hotplug-cpu';
const models = option('model', 'both') === 'both' ? ['vit', 'clip'] : [option('model', 'vit')];
const markdown = args.includes('--markdown');
await initBackend(backend, { log: () => {} });

const size = (shape) => shape.reduce((a, b) => a * b, 1);
const CATEGORY = [
  [/MatMul|^HotplugLinear/, 'GEMM (+ fused epilogue)'],
  [/^Hotplug/, 'other fused (native)'],
  [
    /^(Add|Sub|Multiply|RealDiv|Exp|Tanh|Erf|Sigmoid|Rsqrt|Square|Sqrt|Neg|Log|Relu|Abs|Reciprocal|Cast|Maximum|Minimum|Pow|Step|Greater.*|Less.*|Select|ZerosLike|OnesLike|Fill)$/,
    'elementwise',
  ],
  [/^(Sum|Mean|Max|Min|Prod|Softmax|ArgMax)$/, 'reduction / softmax'],
  [/^(Transpose|Reshape|Slice|SplitV|Concat|Tile|Pack|Unpack|Identity|Gather.*|UnsortedSegmentSum|OneHot|StridedSlice)$/, 'layout / gather'],
];
const categoryOf = (name) => CATEGORY.find(([re]) => re.test(name))?.[1] ?? 'other';

/** Multiply-add work of the GEMM-shaped kernels, from their shapes (0 for the rest). */
function flopsOf(k) {
  const [a, b] = k.inputShapes;
  const out = k.outputShapes[0];
  if (/MatMul/.test(k.name) && out) {
    // k = elements of A / (batch * m) = elements of A * n / elements of C.
    const n = out[out.length - 1];
    return 2 * size(out) * ((size(a) * n) / Math.max(1, size(out)));
  }
  // HotplugLinear: x [rows, in] . w [in, out]; its gradient does two products of that size.
  if (k.name === 'HotplugLinear') return 2 * size(a) * b[1];
  if (k.name === 'HotplugLinearGrad') return 4 * size(k.inputShapes[1]) * k.inputShapes[2][1];
  // HotplugAttention: q [b, h, tq, d], k [b, h, tk, d]: two products; the gradient four.
  if (k.name === 'HotplugAttention') return 4 * size(a) * b[2];
  if (k.name === 'HotplugAttentionGrad') return 8 * size(k.inputShapes[1]) * k.inputShapes[2][2];
  return 0;
}

function makeStep(which) {
  const optimizer = adam(1e-3);
  if (which === 'vit') {
    const model = createVit(VIT_BENCH_CONFIG, 7);
    const { batch, tokens, patchDim, classes } = VIT_BENCH_CONFIG;
    const patches = tf.randomNormal([batch, tokens - 1, patchDim], 0, 1, 'float32', 3);
    const labels = tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % classes),
      'int32',
    );
    return {
      label: `ViT step (width ${VIT_BENCH_CONFIG.width}, depth ${VIT_BENCH_CONFIG.depth}, ${tokens} tokens, batch ${batch})`,
      loss: () => vitLoss(model, patches, labels),
      optimizer,
      dispose: () => {
        disposeModel(model);
        tf.dispose([patches, labels]);
      },
    };
  }
  const model = createClipBench(CLIP_BENCH_CONFIG, 7);
  const inputs = clipBenchInputs(model);
  const v = CLIP_BENCH_CONFIG.vision;
  const t = CLIP_BENCH_CONFIG.text;
  return {
    label: `CLIP step (image width ${v.width} depth ${v.depth}, text width ${t.width} depth ${t.depth}, batch ${CLIP_BENCH_CONFIG.batch})`,
    loss: () => clipLoss(model, inputs),
    optimizer,
    dispose: () => {
      disposeModel(model);
      tf.dispose([inputs.patches, inputs.ids, inputs.eotRows]);
    },
  };
}

async function profileOne(which) {
  const { label, loss, optimizer, dispose } = makeStep(which);
  const step = () => {
    const l = optimizer.minimize(loss, true);
    l.dataSync();
    l.dispose();
  };
  for (let i = 0; i < 3; i++) step();
  const walls = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    step();
    walls.push(performance.now() - t0);
  }
  const wall = walls.sort((a, b) => a - b)[2];
  const nativeBefore = new Map(nativeRunCounts());
  const t0 = performance.now();
  const { kernels } = await tf.profile(step);
  const profiledWall = performance.now() - t0;
  // customGrad forwards appear as entries with no registered kernel and include the kernels
  // inside them: count registered kernels only, so nothing is counted twice.
  const real = kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) != null);
  const byName = new Map();
  for (const k of real) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0, bytes: 0, flops: 0 };
    e.ms += k.kernelTimeMs;
    e.calls++;
    const inElems = k.inputShapes.reduce((s, shape) => s + (shape ? size(shape) : 0), 0);
    const outElems = k.outputShapes.reduce((s, shape) => s + (shape ? size(shape) : 0), 0);
    e.bytes += 4 * (inElems + outElems);
    e.flops += flopsOf(k);
    byName.set(k.name, e);
  }
  const inKernels = real.reduce((s, k) => s + k.kernelTimeMs, 0);
  const gbytes = [...byName.values()].reduce((s, e) => s + e.bytes, 0) / 1e9;
  const categories = new Map();
  for (const [name, e] of byName) {
    const c = categories.get(categoryOf(name)) ?? { ms: 0, calls: 0, bytes: 0 };
    c.ms += e.ms;
    c.calls += e.calls;
    c.bytes += e.bytes;
    categories.set(categoryOf(name), c);
  }
  console.log(`\n${label} on ${backend}: ${wall.toFixed(0)} ms per step (median of 5; ${profiledWall.toFixed(0)} ms profiled)`);
  console.log(
    `  ${real.length} kernel calls, ${inKernels.toFixed(0)} ms inside kernels, ${(profiledWall - inKernels).toFixed(0)} ms outside them (${(((profiledWall - inKernels) / real.length) * 1000).toFixed(0)} µs per kernel call: dispatch, tape, gradient bookkeeping); ${gbytes.toFixed(2)} GB moved by kernels`,
  );
  const pct = (ms) => `${((100 * ms) / profiledWall).toFixed(0)}%`;
  if (markdown) {
    console.log('\n| kernel | ms | share | calls | MB moved | GB/s | GFLOP/s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
      console.log(
        `| ${name} | ${e.ms.toFixed(1)} | ${pct(e.ms)} | ${e.calls} | ${(e.bytes / 1e6).toFixed(0)} | ${(e.bytes / 1e6 / e.ms).toFixed(1)} | ${e.flops ? (e.flops / 1e6 / e.ms).toFixed(0) : ''} |`,
      );
    console.log('\n| category | ms | share | calls |\n| --- | ---: | ---: | ---: |');
    for (const [c, e] of [...categories].sort((a, b) => b[1].ms - a[1].ms)) console.log(`| ${c} | ${e.ms.toFixed(1)} | ${pct(e.ms)} | ${e.calls} |`);
    console.log(`| outside kernels | ${(profiledWall - inKernels).toFixed(1)} | ${pct(profiledWall - inKernels)} | |`);
  } else {
    console.log('  kernel                      ms  share  calls   MB moved    GB/s  GFLOP/s');
    for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20))
      console.log(
        `  ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ${pct(e.ms).padStart(6)} ${String(e.calls).padStart(6)} ${(e.bytes / 1e6).toFixed(0).padStart(10)} ${(e.bytes / 1e6 / e.ms).toFixed(1).padStart(7)} ${e.flops ? (e.flops / 1e6 / e.ms).toFixed(0).padStart(8) : ''}`,
      );
    console.log(
      '  by category: ' +
        [...categories]
          .sort((a, b) => b[1].ms - a[1].ms)
          .map(([c, e]) => `${c} ${e.ms.toFixed(0)} ms (${e.calls} calls)`)
          .join(', ') +
        `, outside kernels ${(profiledWall - inKernels).toFixed(0)} ms`,
    );
  }
  for (const [name, count] of nativeRunCounts()) {
    const native = count - (nativeBefore.get(name) ?? 0);
    const calls = byName.get(name)?.calls ?? 0;
    if (native < calls) console.log(`  fallback: ${name} ran natively ${native} of ${calls} times`);
  }
  optimizer.dispose();
  dispose();
}

for (const which of models) await profileOne(which);
