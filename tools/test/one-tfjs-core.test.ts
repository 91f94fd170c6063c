// CommonJS and ESM users share one tfjs-core: the built @hotplug/kernels must not carry a second
// engine or Tensor class. A second copy once became the global one when kernels was required
// before tfjs-core, and `clip.text.encode` threw "Cannot read properties of null (reading 'cast')".
// Each case runs in a fresh Node process, loading the packages' built output in the order given.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');

// Loads the three modules in `order`, then checks: tensors made by either package are the one
// tfjs-core's tensors, a gradient through the registered gradient definitions matches its
// closed form (d/dx sum(x^2 * 3) = 6x), and a small CLIP encodes text and images.
const body = (load: (name: string) => string, order: string[]) => `
const mods = {};
${order.map((n) => `mods[${JSON.stringify(n)}] = ${load(n)};`).join('\n')}
const kernels = mods['@hotplug/kernels'], backbones = mods['@hotplug/backbones'], tf = mods['@tensorflow/tfjs-core'];
await kernels.initBackend(undefined, { log: () => {} });
const x = tf.tensor1d([0.5, -1, 2]);
const g = tf.grad((v) => tf.sum(tf.mul(tf.square(v), 3)))(x);
const grad = Array.from(g.dataSync());
const clip = backbones.createClip({ base: 'hotplug-old', vision: { depth: 1 }, text: { depth: 1 } }, { seed: 3 });
const c = clip.config;
const row = (toks) => [...toks, ...new Array(c.text.contextLength - toks.length).fill(0)];
const ids = tf.tensor2d([row([1, 5, 6, 2]), row([1, 7, 2])], undefined, 'int32');
const text = await clip.text.encode(ids);
const images = tf.randomNormal([2, c.vision.imageSize, c.vision.imageSize, c.vision.channels], 0, 1, 'float32', 1);
const image = await clip.visual.encode(images);
console.log(JSON.stringify({
  backend: tf.getBackend(),
  grad,
  text: text.shape, image: image.shape,
  oneTensorClass: text instanceof tf.Tensor && Object.getPrototypeOf(text) === tf.Tensor.prototype && Object.getPrototypeOf(image) === tf.Tensor.prototype,
  finite: [...text.dataSync(), ...image.dataSync()].every(Number.isFinite),
}));
`;

function run(kind: 'commonjs' | 'module', order: string[]) {
  const code =
    kind === 'module'
      ? body((n) => `await import(${JSON.stringify(n)})`, order)
      : `(async () => {${body((n) => `require(${JSON.stringify(n)})`, order)}})().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, [`--input-type=${kind}`, '-e', code], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const kernelsFirst = ['@hotplug/kernels', '@hotplug/backbones', '@tensorflow/tfjs-core'];
const coreFirst = ['@tensorflow/tfjs-core', '@hotplug/backbones', '@hotplug/kernels'];

describe('one tfjs-core under CommonJS and ESM', () => {
  it.each([
    ['commonjs', kernelsFirst],
    ['module', kernelsFirst],
    ['commonjs', coreFirst],
  ] as const)('%s, loading %j: text and images encode, gradients work', (kind, order) => {
    const r = run(kind, [...order]);
    expect(r.oneTensorClass).toBe(true);
    expect(r.finite).toBe(true);
    expect(r.text).toEqual([2, 64]);
    expect(r.image).toEqual([2, 64]);
    expect(r.grad.map((v: number) => Math.round(v * 1e5) / 1e5)).toEqual([3, -6, 12]);
  });

  it('the built kernels bundle holds no tfjs engine or Tensor class of its own', () => {
    for (const file of ['index.cjs', 'index.js']) {
      const text = readFileSync(join(root, 'packages', 'kernels', 'dist', file), 'utf8');
      // Markers of tfjs-core's stateful modules: the engine class and the Tensor op handler.
      expect(text, file).not.toMatch(/class _?Engine\b|setOpHandler|_tfengine/);
    }
  });
});
