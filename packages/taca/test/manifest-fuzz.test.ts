// Property-based fuzzing of the adapter reader (adapter.json): arbitrary and hostile values in every
// field must give a named error (an InputError) before anything large is allocated, or a valid adapter.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ADAPTER_CONFIG_FILE, adapterTarget, createAdapter, encoderIdentity, loadAdapter, saveAdapter } from '../src/index';
import { setup, tinyPair } from './helpers';
import { expectMemoryBounded, expectUnchanged, folderFingerprint, fuzzTally, memoryNow } from '../../../tools/test-support/fuzz';

// A clear error is any InputError; the line is printed after the suite.
const tally = fuzzTally('adapter manifest');
let dir = '';
// biome-ignore lint/suspicious/noExplicitAny: the fuzz writes hostile values at arbitrary paths of parsed JSON
let manifest: Record<string, any> = {};
let pair: ReturnType<typeof tinyPair>;

beforeAll(async () => {
  await setup();
  pair = tinyPair();
  dir = mkdtempSync(join(tmpdir(), 'taca-manifest-fuzz-'));
  const adapter = createAdapter({ variant: 'taca-symmetric', bottleneck: 2 }, adapterTarget(pair.next.visual, pair.old.config.embedDim));
  saveAdapter(adapter, dir, { model: encoderIdentity(pair.next.visual), outputSpace: encoderIdentity(pair.old.visual) });
  adapter.dispose();
  manifest = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
});
afterAll(() => {
  pair.old.dispose();
  pair.next.dispose();
});

function attempt(text: string, withEncoder: boolean): void {
  writeFileSync(join(dir, ADAPTER_CONFIG_FILE), text);
  const before = folderFingerprint(dir);
  const rss = memoryNow({ arrayBuffers: false });
  tally.runSync(() => loadAdapter(dir, withEncoder ? pair.next.visual : undefined, { warn: () => {} }).dispose());
  expectMemoryBounded(rss, 256, { arrayBuffers: false });
  expectUnchanged(dir, before);
}

describe('adapter manifest fuzz', () => {
  const hostile = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1e9, -1, 0, 0.5, 2 ** 31, '16', 'relu', null, [], {}, [0, 1e9], ['q', 'x']));
  // biome-ignore lint/suspicious/noExplicitAny: the fuzz writes hostile values at arbitrary paths of parsed JSON
  const setters: Array<(m: any, v: unknown) => void> = [
    (m, v) => (m.format = v),
    (m, v) => (m.version = v),
    (m, v) => (m.config = v),
    (m, v) => (m.config.variant = v),
    (m, v) => (m.config.options.bottleneck = v),
    (m, v) => (m.config.options.scale = v),
    (m, v) => (m.config.blocks = v),
    (m, v) => (m.config.options.activation = v),
    (m, v) => (m.config.options = v),
    (m, v) => (m.config.options.extra = v),
    (m, v) => (m.config.outputProjection = v),
    (m, v) => (m.config.seed = v),
    (m, v) => (m.target = v),
    (m, v) => (m.target.heads = v),
    (m, v) => (m.target.mlpWidth = v),
    (m, v) => (m.target.width = v),
    (m, v) => (m.target.depth = v),
    (m, v) => (m.target.embedDim = v),
    (m, v) => (m.target.oldEmbedDim = v),
    (m, v) => (m.parameters = v),
    (m, v) => (m.trainedOn = v),
    (m, v) => (m.trainedOn.model.fingerprint = v),
  ];
  it('a field replaced by an arbitrary or hostile value', () => {
    fc.assert(
      fc.property(fc.nat(setters.length - 1), hostile, fc.boolean(), (i, v, withEncoder) => {
        const m = structuredClone(manifest);
        setters[i]!(m, v);
        attempt(JSON.stringify(m), withEncoder);
      }),
      { numRuns: 250, seed: 18 },
    );
  });
  it('arbitrary text as adapter.json', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => attempt(text, false)),
      { numRuns: 50, seed: 18 },
    );
  });
});
