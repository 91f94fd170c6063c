// Scene generation speed and caption statistics. Usage: npm run build -w @hotplug/data && node scripts/bench-scenes.mjs [--runs 5] [--scenes 20000] [--captions 100000]
// One process is one core: the rate is scenes (sampled, rendered to the 64x64 RGB canvas, captioned)
// per second of this process's CPU time (user + system), so a machine shared with other jobs does
// not halve it; wall-clock rates are printed next to it. Medians of --runs runs.
import { parseArgs } from 'node:util';
import { sceneWorld } from '../dist/index.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, scenes: { type: 'string', default: '20000' }, captions: { type: 'string', default: '100000' } },
});
const runs = Number(values.runs);
const n = Number(values.scenes);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const world = sceneWorld('train');
const canvas = new Uint8Array(64 * 64 * 3);
const cpuRates = [];
const wallRates = [];
for (let r = 0; r < runs + 1; r++) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const scene = world.scene(r, i);
    world.render(scene, canvas);
    world.caption(scene);
  }
  const wall = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  if (r === 0) continue; // warm-up
  cpuRates.push(n / ((used.user + used.system) / 1e6));
  wallRates.push(n / wall);
}
console.log(`scenes/s per core (CPU time): median ${median(cpuRates).toFixed(0)} over ${runs} runs of ${n} [${cpuRates.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`scenes/s wall clock:          median ${median(wallRates).toFixed(0)} [${wallRates.map((x) => x.toFixed(0)).join(', ')}]`);

// Vocabulary and caption length (words) of --captions captions of one training stream.
const total = Number(values.captions);
const vocab = new Set();
const lengths = new Map();
let sum = 0;
for (let i = 0; i < total; i++) {
  const words = world
    .caption(world.scene(7, i))
    .toLowerCase()
    .split(/[\s,.;:]+/)
    .filter(Boolean);
  for (const w of words) vocab.add(w);
  lengths.set(words.length, (lengths.get(words.length) ?? 0) + 1);
  sum += words.length;
}
console.log(`${total} captions: ${vocab.size} distinct words, mean length ${(sum / total).toFixed(1)} words`);
const bins = [
  [1, 5],
  [6, 10],
  [11, 15],
  [16, 20],
  [21, 25],
  [26, 30],
  [31, 40],
  [41, 99],
];
for (const [lo, hi] of bins) {
  let c = 0;
  for (const [len, k] of lengths) if (len >= lo && len <= hi) c += k;
  console.log(`  ${`${lo}-${hi === 99 ? '' : hi}`.padEnd(6)} words ${String(c).padStart(6)}  ${'#'.repeat(Math.round((60 * c) / total))}`);
}
