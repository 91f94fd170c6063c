// Fit time and added query latency of each map variant (synthetic paired vectors; latency does not depend on the values).
// Run: npx vite-node bench/maps.ts [-- --pairs 5000 --queries 2000]
import { parseArgs } from 'node:util';
import { Rng } from '@hotplug/runtime';
import { fitMap, type EmbeddingSpace, type Matrix } from '../src/index';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { pairs: { type: 'string', default: '5000' }, queries: { type: 'string', default: '2000' } },
});
const pairs = Number(values.pairs);
const queries = Number(values.queries);

function gaussian(rows: number, dim: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { data: Float32Array.from({ length: rows * dim }, () => rng.normal()), rows, dim };
}

const shapes: [number, number][] = [
  [64, 64],
  [768, 512],
];
const variants: [string, Record<string, unknown>][] = [
  ['procrustes', {}],
  ['low-rank', { rank: 16 }],
  ['residual-mlp', { hidden: 256, epochs: 5 }],
];
/** Peer measured in the same run: a bare float32 x W loop of the same size, none of the map's checks or copies. */
function bareLoop(din: number, dout: number): number {
  const w = gaussian(din, dout, 9).data;
  const x = gaussian(queries, din, 10).data;
  const y = new Float32Array(dout);
  const run = () => {
    for (let r = 0; r < queries; r++) {
      y.fill(0);
      for (let i = 0; i < din; i++) {
        const a = x[r * din + i]!;
        for (let j = 0; j < dout; j++) y[j] += a * w[i * dout + j]!;
      }
    }
  };
  run();
  const t = performance.now();
  run();
  return ((performance.now() - t) * 1000) / queries;
}

console.log(`| map | in -> out | fit on ${pairs} pairs (s) | added latency, one query (us) | batched ${queries} (us/query) | peer: bare x W loop (us/query) |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [din, dout] of shapes) {
  const from: EmbeddingSpace = { model: 'new', dim: din, normalized: true, adapters: [] };
  const to: EmbeddingSpace = { model: 'old', dim: dout, normalized: true, adapters: [] };
  const source = gaussian(pairs, din, 1);
  const target = gaussian(pairs, dout, 2);
  const q = gaussian(queries, din, 3);
  const peer = bareLoop(din, dout);
  for (const [kind, options] of variants) {
    const map = await fitMap(kind, { source, target, from, to }, options);
    const one = Array.from({ length: queries }, (_, i) => q.data.subarray(i * din, (i + 1) * din));
    for (let i = 0; i < 200; i++) map.apply([one[i % queries]!]); // warm-up (JIT)
    let t = performance.now();
    for (const v of one) map.apply({ data: v, rows: 1, dim: din });
    const single = ((performance.now() - t) * 1000) / queries;
    t = performance.now();
    map.apply(q);
    const batched = ((performance.now() - t) * 1000) / queries;
    console.log(
      `| ${kind} ${JSON.stringify(options)} | ${din} -> ${dout} | ${map.report!.seconds.toFixed(2)} | ${single.toFixed(1)} | ${batched.toFixed(1)} | ${peer.toFixed(1)} |`,
    );
  }
}
