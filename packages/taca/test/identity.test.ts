// Issue 18: an adapter records the models it was trained with (case 6, identity) and its manifest is
// validated before anything is allocated (case 3, `depth: 1e9`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IdentityMismatchError } from '@hotplug/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdapterManifestError,
  ADAPTER_CONFIG_FILE,
  adapterTarget,
  createAdapter,
  encoderIdentity,
  loadAdapter,
  readAdapterManifest,
  saveAdapter,
} from '../src/index';
import { setup, tempDir, tinyPair } from './helpers';

describe('adapter identity', () => {
  let pair: ReturnType<typeof tinyPair>;
  let other: ReturnType<typeof tinyPair>;
  let dir: string;
  beforeAll(async () => {
    await setup();
    pair = tinyPair();
    other = tinyPair(); // same architecture, other weights
    for (const v of other.next.visual.namedWeights().values()) v.assign(tf.tidy(() => tf.add(v, 0.01)));
    dir = tempDir('identity');
    const adapter = createAdapter({ variant: 'parallel', bottleneck: 3 }, adapterTarget(pair.next.visual, pair.old.config.embedDim));
    saveAdapter(adapter, dir, { model: encoderIdentity(pair.next.visual), outputSpace: encoderIdentity(pair.old.visual) });
    adapter.dispose();
  });
  afterAll(() => {
    for (const c of [pair.old, pair.next, other.old, other.next]) c.dispose();
  });

  it('records both fingerprints and loads into the encoder it was trained on', () => {
    const m = readAdapterManifest(dir);
    expect(m.trainedOn!.model.fingerprint).toBe(encoderIdentity(pair.next.visual).fingerprint);
    expect(m.trainedOn!.outputSpace.fingerprint).not.toBe(m.trainedOn!.model.fingerprint);
    loadAdapter(dir, pair.next.visual, { outputSpace: encoderIdentity(pair.old.visual) }).dispose();
  });

  it('refuses another encoder of the same shape, naming both, unless forced', () => {
    const err = (() => {
      try {
        loadAdapter(dir, other.next.visual);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(IdentityMismatchError);
    const a = encoderIdentity(pair.next.visual).fingerprint;
    const b = encoderIdentity(other.next.visual).fingerprint;
    expect(err!.message).toContain(`trained on encoder "tiny-new" (fingerprint ${a}), but is being loaded into "tiny-new" (fingerprint ${b})`);
    const warnings: string[] = [];
    loadAdapter(dir, other.next.visual, { force: true, warn: (w) => warnings.push(w) }).dispose();
    expect(warnings[0]).toContain('(forced)');
  });

  it('refuses an output space other than the one it was trained towards', () => {
    expect(() => loadAdapter(dir, pair.next.visual, { outputSpace: encoderIdentity(other.next.visual) })).toThrow(/output space \(old encoder\)/);
  });

  it('loads a manifest saved before fingerprints existed, with a warning', () => {
    const legacy = tempDir('legacy');
    for (const f of readdirSync(dir)) writeFileSync(join(legacy, f), readFileSync(join(dir, f)));
    const m = JSON.parse(readFileSync(join(legacy, ADAPTER_CONFIG_FILE), 'utf8'));
    delete m.trainedOn;
    writeFileSync(join(legacy, ADAPTER_CONFIG_FILE), JSON.stringify(m));
    const warnings: string[] = [];
    loadAdapter(legacy, pair.next.visual, { warn: (w) => warnings.push(w) }).dispose();
    expect(warnings[0]).toMatch(/records no encoder fingerprint/);
  });
});

describe('adapter manifest validation (before allocating)', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the cases write wrong values at arbitrary paths of parsed JSON
  const manifestWith = (dir: string, edit: (m: Record<string, any>) => void) => {
    const m = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    edit(m);
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(m));
  };
  it('refuses depth 1e9, a string bottleneck, blocks past the depth, an inflated parameter count', async () => {
    await setup();
    const pair = tinyPair();
    const dir = tempDir('manifest');
    const adapter = createAdapter({ variant: 'sequential', bottleneck: 2 }, adapterTarget(pair.next.visual, pair.old.config.embedDim));
    saveAdapter(adapter, dir);
    adapter.dispose();
    const good = readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8');
    // biome-ignore lint/suspicious/noExplicitAny: the cases write wrong values at arbitrary paths of parsed JSON
    const cases: Array<[(m: Record<string, any>) => void, RegExp]> = [
      [(m) => (m.target.depth = 1e9), /target\.depth: Too big: expected number to be <=1024/],
      [(m) => (m.config.options.bottleneck = '16'), /variant "sequential":\n {2}- bottleneck: Invalid input: expected number, received string/],
      [(m) => (m.config.blocks = [7]), /config\.blocks \[7\] name blocks past the target's depth 2/],
      [(m) => (m.parameters = 1e9), /adapter.safetensors has \d+ bytes, but adapter.json declares 1000000000 parameters/],
      [(m) => (m.trainedOn = { model: { fingerprint: 'x' } }), /trainedOn\.model\.fingerprint: 16 hex digits/],
    ];
    for (const [edit, message] of cases) {
      writeFileSync(join(dir, ADAPTER_CONFIG_FILE), good);
      manifestWith(dir, edit);
      expect(() => loadAdapter(dir)).toThrow(AdapterManifestError);
      expect(() => loadAdapter(dir)).toThrow(message);
    }
    pair.old.dispose();
    pair.next.dispose();
  });
});
