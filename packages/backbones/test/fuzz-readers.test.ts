// Property-based fuzzing of every file reader of this package: generated malformed inputs
// must end in a named InvalidFileError or a valid result, never a raw TypeError/RangeError
// or a crash; memory stays bounded and no reader writes a file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  clipConfigFromHf,
  clipConfigFromOpenClip,
  createClip,
  getConfig,
  InvalidFileError,
  loadOnnxImageEncoder,
  loadTokenizer,
  loadWeights,
  resolveConfig,
  SafetensorsReader,
  saveWeights,
  tokenizerFromJson,
} from '../src/index';
import { damagedBytes, expectMemoryBounded, expectOnly, fuzzByReader, memoryNow } from '../../../tools/test-support/fuzz';
import { addModel } from './fuzz-helpers';
import { FIXTURES, setupBackend, tempDir } from './helpers';

const RUNS = 150;
const seed = Number(process.env.FUZZ_SEED ?? 18);

// Stricter than the default (any InputError): this package's file-error family, with a message.
const isClear = (err: unknown) => err instanceof InvalidFileError && err.message.length > 0;
const fuzz = fuzzByReader({ isClear });
/** One malformed input for `reader`: a clear error or a valid result; anything else fails the test. */
const tryInput = (reader: string, fn: () => unknown) => fuzz.run(reader, fn);

function safetensorsBytes(headerText: string, data: Uint8Array): Buffer {
  const h = Buffer.from(headerText, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
}

/** Byte-level damage to a valid file: flips, truncation, appended junk, overwritten windows. */
const damage = damagedBytes;

const dims = fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom(1e9, 2 ** 31, 2 ** 53, 1.5, Number.MAX_SAFE_INTEGER));
const entry = fc.record(
  {
    dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I32', 'I64', 'U8', 'BOOL'), fc.string({ maxLength: 4 })),
    shape: fc.oneof(fc.array(dims, { maxLength: 4 }), fc.anything()),
    data_offsets: fc.oneof(
      fc.tuple(fc.integer({ min: -4, max: 64 }), fc.integer({ min: -4, max: 64 })),
      fc.tuple(fc.nat(), fc.constantFrom(2 ** 40, 1e300)),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);

describe('fuzz: backbones readers', () => {
  let memory = 0;
  beforeAll(async () => {
    await setupBackend();
    memory = memoryNow();
  });
  afterAll(() => {
    console.log(`[fuzz backbones, seed ${seed}]\n${fuzz.table()}`);
  });

  it('safetensors: generated headers and damaged files', async () => {
    const dir = tempDir('fz-st');
    const good = safetensorsBytes(
      JSON.stringify({
        a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        b: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
        __metadata__: { k: 'v' },
      }),
      new Uint8Array(22).fill(60),
    );
    const path = join(dir, 'x.safetensors');
    const check = async (bytes: Uint8Array) => {
      writeFileSync(path, bytes);
      await tryInput('safetensors', () => {
        const r = SafetensorsReader.open(path);
        try {
          // Accepted files are internally consistent: every tensor reads with its declared element count.
          for (const n of r.names) {
            const e = r.entry(n);
            if (['F32', 'F16', 'BF16', 'F64', 'I32', 'I64'].includes(e.dtype))
              expect(r.readFloat32(n, { allowNonFinite: true }).length).toBe(e.shape.reduce((a, b) => a * b, 1));
          }
        } finally {
          r.close();
        }
      });
    };
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 6 }), entry, { maxKeys: 4 }), fc.nat(96), async (header, n) =>
        check(safetensorsBytes(JSON.stringify(header), new Uint8Array(n))),
      ),
      { numRuns: RUNS, seed },
    );
    await fc.assert(fc.asyncProperty(damage(good), check), { numRuns: RUNS, seed });
    expectOnly(dir, ['x.safetensors']);
  });

  it('tokenizer.json: damaged vocabularies, added tokens and context lengths', async () => {
    const dir = tempDir('fz-tok');
    const base = JSON.parse(readFileSync(join(FIXTURES, 'clip-like-tokenizer.json'), 'utf8'));
    const keys = Object.keys(base.model.vocab);
    const value = fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.constantFrom(1e9, 2 ** 32, -1, 0.5, NaN), fc.string({ maxLength: 3 }), fc.constant(null));
    const mutation = fc.oneof(
      fc.tuple(fc.constant('vocab'), fc.constantFrom(...keys), value),
      fc.tuple(fc.constant('added'), fc.nat(3), value),
      fc.tuple(fc.constant('model'), fc.constantFrom('type', 'vocab', 'merges', 'unk_token'), fc.anything({ maxDepth: 1 })),
      fc.tuple(fc.constant('root'), fc.constantFrom('model', 'added_tokens', 'normalizer', 'pre_tokenizer'), fc.anything({ maxDepth: 1 })),
    );
    const path = join(dir, 'tokenizer.json');
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.oneof(fc.integer({ min: -2, max: 100 }), fc.constantFrom(1e9, 77.5)),
        async (mutations, contextLength) => {
          const json = structuredClone(base);
          for (const [kind, key, v] of mutations) {
            const vocab = json.model?.vocab;
            if (kind === 'vocab' && vocab && typeof vocab === 'object' && !Array.isArray(vocab)) vocab[key as string] = v;
            else if (
              kind === 'added' &&
              Array.isArray(json.added_tokens) &&
              json.added_tokens[key as number] &&
              typeof json.added_tokens[key as number] === 'object'
            )
              json.added_tokens[key as number].id = v;
            else if (kind === 'model' && json.model && typeof json.model === 'object') json.model[key as string] = v;
            else if (kind === 'root') json[key as string] = v;
          }
          writeFileSync(path, JSON.stringify(json));
          await tryInput('tokenizer.json', () => {
            const tok = loadTokenizer(path, { contextLength });
            expect(tok.vocabSize).toBeLessThanOrEqual(1 << 20);
            expect(tok.encode('a red shirt').length).toBe(contextLength);
          });
        },
      ),
      { numRuns: RUNS, seed },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.anything(),
        async (json) => void (await tryInput('tokenizer.json', () => tokenizerFromJson(json as Record<string, unknown>, { contextLength: 8 }))),
      ),
      { numRuns: 50, seed },
    );
    expectOnly(dir, ['tokenizer.json']);
  });

  it('model configs (ours, Hugging Face, open_clip): fields set to generated values', async () => {
    const good = getConfig('hotplug-old') as unknown as Record<string, Record<string, unknown>>;
    const fields = [
      ...Object.keys(good).map((k) => [k]),
      ...Object.keys(good.vision!).map((k) => ['vision', k]),
      ...Object.keys(good.text!).map((k) => ['text', k]),
    ];
    const value = fc.oneof(
      fc.integer({ min: -3, max: 200 }),
      fc.constantFrom(1e9, 2 ** 31, 0.5, NaN, Infinity, -0),
      fc.string({ maxLength: 4 }),
      fc.anything({ maxDepth: 1 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...fields), value), { minLength: 1, maxLength: 3 }), async (edits) => {
        const c = structuredClone(good);
        for (const [path, v] of edits) {
          if (path.length === 1) c[path[0]!] = v as never;
          else if (c[path[0]!] && typeof c[path[0]!] === 'object') (c[path[0]!] as Record<string, unknown>)[path[1]!] = v;
        }
        await tryInput('model config', () => resolveConfig(c as never));
      }),
      { numRuns: RUNS, seed },
    );
    const hf = {
      projection_dim: 8,
      vision_config: { hidden_size: 16, image_size: 8, patch_size: 4, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
      text_config: { hidden_size: 16, vocab_size: 50, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
    };
    const section = fc.constantFrom('vision_config', 'text_config');
    await fc.assert(
      fc.asyncProperty(
        section,
        fc.constantFrom(
          'hidden_size',
          'image_size',
          'patch_size',
          'num_hidden_layers',
          'num_attention_heads',
          'intermediate_size',
          'vocab_size',
          'num_channels',
          'hidden_act',
          'eos_token_id',
        ),
        value,
        async (s, k, v) => {
          const j = structuredClone(hf) as unknown as Record<string, Record<string, unknown>>;
          j[s]![k] = v;
          await tryInput('HF / open_clip config', () => clipConfigFromHf(j));
        },
      ),
      { numRuns: RUNS, seed },
    );
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (j) => void (await tryInput('HF / open_clip config', () => clipConfigFromOpenClip(j as Record<string, unknown>)))),
      { numRuns: 50, seed },
    );
  });

  it('ONNX: damaged models and generated external-data locations', async () => {
    const dir = tempDir('fz-onnx');
    const data = join(dir, 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(data);
    writeFileSync(join(data, 'w.bin'), Buffer.alloc(16));
    const valid = addModel(Float32Array.of(1, 2, 3, 4));
    const path = join(data, 'm.onnx');
    await fc.assert(
      fc.asyncProperty(damage(valid), async (bytes) => {
        writeFileSync(path, bytes);
        await tryInput('ONNX', async () => (await loadOnnxImageEncoder(path)).dispose());
      }),
      { numRuns: 60, seed },
    );
    const segment = fc.constantFrom('..', '.', 'w.bin', 'data', 'etc', 'passwd', '', '/', '\\', '%2e%2e');
    const location = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('/etc/passwd', '../../../../etc/passwd', 'w.bin', './w.bin', '../data/w.bin'),
    );
    await fc.assert(
      fc.asyncProperty(location, async (loc) => {
        writeFileSync(path, addModel(new Float32Array(4), loc));
        const outcome = await tryInput('ONNX', async () => (await loadOnnxImageEncoder(path, { externalDataDir: data })).dispose());
        // Only a location naming the one data file inside the folder may load.
        if (outcome === 'accepted') expect(join(data, loc)).toBe(join(data, 'w.bin'));
      }),
      { numRuns: 80, seed },
    );
    expectOnly(data, ['m.onnx', 'w.bin']);
  });

  it('loadWeights: one damaged tensor (NaN, Inf, unsupported dtype, transposed shape, renamed) leaves the model untouched', async () => {
    const dir = tempDir('fz-load');
    const good = join(dir, 'good.safetensors');
    const source = createClip('hotplug-old', { seed: 1 });
    saveWeights(source, good);
    const bytes = readFileSync(good);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
    const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const target = createClip('hotplug-old', { seed: 2 });
    const before = new Map([...target.namedWeights()].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
    const path = join(dir, 'bad.safetensors');
    const kinds = fc.constantFrom('nan', 'inf', 'dtype', 'shape', 'rename');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), kinds, fc.nat(), async (name, kind, at) => {
        const e = header[name]!;
        const count = (e.data_offsets[1] - e.data_offsets[0]) / 4;
        let text = headerText;
        const body = Buffer.from(bytes.subarray(8 + headerLength));
        if (kind === 'nan' || kind === 'inf') {
          if (count === 0) return;
          body.writeFloatLE(kind === 'nan' ? NaN : -Infinity, e.data_offsets[0] + 4 * (at % count));
        } else if (kind === 'dtype') text = text.replace(`"${name}":{"dtype":"F32"`, `"${name}":{"dtype":"U32"`);
        else if (kind === 'shape') {
          if (e.shape.length < 2 || e.shape[0] === e.shape[1]) return;
          text = text.replace(
            `"${name}":{"dtype":"F32","shape":${JSON.stringify(e.shape)}`,
            `"${name}":{"dtype":"F32","shape":${JSON.stringify([e.shape[1], e.shape[0], ...e.shape.slice(2)])}`,
          );
        } else text = text.replace(`"${name}":`, `"${name}_":`).replace(/ {1}$/, '');
        const h = Buffer.from(text.padEnd(headerLength, ' '), 'utf8');
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(h.length));
        writeFileSync(path, Buffer.concat([len, h, body]));
        const outcome = await tryInput('loadWeights', () => loadWeights(target, path));
        expect(outcome).toBe('clear error');
        for (const [n, v] of target.namedWeights())
          expect(
            (v.dataSync() as Float32Array).every((x, i) => Object.is(x, before.get(n)![i])),
            n,
          ).toBe(true);
      }),
      { numRuns: 40, seed },
    );
    tf.dispose([...source.namedWeights().values(), ...target.namedWeights().values()]);
    expectOnly(dir, ['good.safetensors', 'bad.safetensors']);
  });

  it('memory stayed bounded across the whole suite', () => {
    expectMemoryBounded(memory, 768);
  });
});
