// Regression cases of issue 18 that belong to this package's readers: each is refused with a
// named error whose message says what is wrong (the messages are printed for the closing note).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createClip,
  loadOnnxImageEncoder,
  loadTokenizer,
  loadWeights,
  ModelConfigError,
  OnnxModelError,
  resolveConfig,
  SafetensorsError,
  SafetensorsReader,
  saveWeights,
  TokenizerFileError,
  WeightsMismatchError,
  type Clip,
} from '../src/index';
import { rejected, thrown } from '../../../tools/test-support/fuzz';
import { addModel, writeBytes } from './fuzz-helpers';
import { FIXTURES, setupBackend, tempDir } from './helpers';

const show = (label: string, err: unknown) =>
  console.log(`[issue 18] ${label}: ${(err as Error).constructor.name}: ${(err as Error).message.split('\n').slice(0, 3).join(' | ')}`);

function handMade(header: unknown, data: Uint8Array, headerText?: string): Buffer {
  const h = Buffer.from(headerText ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
}

function snapshot(clip: Clip): Map<string, Float32Array> {
  return new Map([...clip.namedWeights()].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
}

function expectUnchanged(clip: Clip, before: Map<string, Float32Array>): void {
  for (const [n, v] of clip.namedWeights()) expect(Array.from(v.dataSync() as Float32Array), n).toEqual(Array.from(before.get(n)!));
}

describe('issue 18, backbones readers', () => {
  beforeAll(setupBackend);

  it('case 1: an ONNX initializer with external data ../../../../etc/passwd is refused, with or without externalDataDir', async () => {
    const dir = tempDir('i18-onnx');
    const path = writeBytes(dir, 'evil.onnx', addModel(new Float32Array(4), '../../../../etc/passwd'));
    const byDefault = await rejected(loadOnnxImageEncoder(path));
    expect(byDefault).toBeInstanceOf(OnnxModelError);
    expect(byDefault.message).toMatch(
      /keeps 1 tensor\(s\) in external files \("W" -> "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd"\), which are refused by default.*externalDataDir/,
    );
    show('case 1 (default)', byDefault);
    const optedIn = await rejected(loadOnnxImageEncoder(path, { externalDataDir: dir }));
    expect(optedIn).toBeInstanceOf(OnnxModelError);
    expect(optedIn.message).toMatch(/resolves outside externalDataDir/);
    show('case 1 (externalDataDir)', optedIn);
    const absolute = writeBytes(dir, 'abs.onnx', addModel(new Float32Array(4), '/etc/passwd'));
    expect((await rejected(loadOnnxImageEncoder(absolute, { externalDataDir: dir }))).message).toMatch(/is an absolute path/);
  });

  it('case 1, the allowed path: external data inside externalDataDir loads and computes images + W', async () => {
    const dir = tempDir('i18-onnx-ok');
    const w = Float32Array.of(1, -2, 0.5, 4);
    writeBytes(dir, 'w.bin', new Uint8Array(w.buffer));
    const path = writeBytes(dir, 'ok.onnx', addModel(w, 'w.bin'));
    const enc = await loadOnnxImageEncoder(path, { externalDataDir: dir });
    const out = await enc.encode(tf.tensor4d([[[[1, 1, 1, 1]]], [[[0, 2, 4, 6]]]]));
    expect(Array.from(out.dataSync())).toEqual([2, -1, 1.5, 5, 1, 0, 4.5, 10]);
    out.dispose();
    enc.dispose();
    // A link inside the folder that points outside it is refused too.
    const inline = writeBytes(dir, 'inline.onnx', addModel(w));
    const plain = await loadOnnxImageEncoder(inline);
    plain.dispose();
    writeFileSync(join(dir, 'short.bin'), Buffer.alloc(8));
    const short = writeBytes(dir, 'short.onnx', addModel(w, 'short.bin'));
    expect((await rejected(loadOnnxImageEncoder(short, { externalDataDir: dir }))).message).toMatch(/spans bytes 0..16 but the file has 8 bytes/);
  });

  it('case 3: a tokenizer vocab id of 1e9 and contextLength 1e9 are refused before anything is built', () => {
    const dir = tempDir('i18-tok');
    const json = JSON.parse(readFileSync(join(FIXTURES, 'clip-like-tokenizer.json'), 'utf8'));
    json.model.vocab['hello</w>'] = 1e9;
    const path = join(dir, 'tokenizer.json');
    writeFileSync(path, JSON.stringify(json));
    const err = thrown(() => loadTokenizer(path, { contextLength: 16 }));
    expect(err).toBeInstanceOf(TokenizerFileError);
    expect(err.message).toMatch(/token id 1000000000 makes a vocabulary of 1000000001, above the limit 1048576/);
    show('case 3 (vocab id 1e9)', err);
    const ctx = thrown(() => loadTokenizer(join(FIXTURES, 'clip-like-tokenizer.json'), { contextLength: 1e9 }));
    expect(ctx).toBeInstanceOf(TokenizerFileError);
    expect(ctx.message).toMatch(/contextLength must be an integer >= 2 and <= 8192, got 1000000000/);
    show('case 3 (tokenizer contextLength 1e9)', ctx);
    const cfg = thrown(() => resolveConfig({ base: 'hotplug-old', text: { contextLength: 1e9 } }));
    expect(cfg).toBeInstanceOf(ModelConfigError);
    expect(cfg.message).toMatch(/text.contextLength 1000000000 is above the limit 8192/);
    show('case 3 (config contextLength 1e9)', cfg);
  });

  it('case 4: loadWeights refuses an unsupported dtype or NaN before assigning anything (no half-loaded model)', () => {
    const dir = tempDir('i18-half');
    const source = createClip('hotplug-old', { seed: 1 });
    const path = join(dir, 'model.safetensors');
    saveWeights(source, path);
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const last = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .sort((a, b) => b[1].data_offsets[0] - a[1].data_offsets[0])[0]!;
    // U32 has F32's width, so only the dtype changes; the last tensor is the one assigned last.
    const text = bytes
      .subarray(8, 8 + headerLength)
      .toString('utf8')
      .replace(`"${last[0]}":{"dtype":"F32"`, `"${last[0]}":{"dtype":"U32"`);
    const u32 = Buffer.concat([bytes.subarray(0, 8), Buffer.from(text, 'utf8'), bytes.subarray(8 + headerLength)]);
    writeFileSync(join(dir, 'u32.safetensors'), u32);
    const target = createClip('hotplug-old', { seed: 2 });
    const before = snapshot(target);
    const err = thrown(() => loadWeights(target, join(dir, 'u32.safetensors')));
    expect(err).toBeInstanceOf(WeightsMismatchError);
    expect(err.message).toMatch(new RegExp(`tensors of unsupported dtype.*\\n\\s+${last[0].replace(/\./g, '\\.')}: U32`));
    expect(err.message).toMatch(/Nothing was loaded/);
    expectUnchanged(target, before);
    show('case 4 (dtype)', err);
    const nan = Buffer.from(bytes);
    nan.writeFloatLE(NaN, 8 + headerLength + last[1].data_offsets[0]);
    writeFileSync(join(dir, 'nan.safetensors'), nan);
    const nanErr = thrown(() => loadWeights(target, join(dir, 'nan.safetensors')));
    expect(nanErr).toBeInstanceOf(SafetensorsError);
    expect(nanErr.message).toMatch(new RegExp(`tensor "${last[0].replace(/\./g, '\\.')}" holds NaN at element 0; expected finite values`));
    expectUnchanged(target, before);
    show('case 6 (NaN weights)', nanErr);
    // Opting in loads it, NaN included.
    loadWeights(target, join(dir, 'nan.safetensors'), { allowNonFinite: true });
    expect(Number.isNaN(target.namedWeights().get(last[0])!.dataSync()[0])).toBe(true);
    tf.dispose([...source.namedWeights().values(), ...target.namedWeights().values()]);
  });

  it('case 6: safetensors with overlapping tensors, duplicate keys or trailing bytes are refused', () => {
    const dir = tempDir('i18-st');
    const open = (name: string, buf: Buffer) => thrown(() => SafetensorsReader.open(writeBytes(dir, name, buf)));
    const overlap = open(
      'overlap.safetensors',
      handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
    );
    expect(overlap).toBeInstanceOf(SafetensorsError);
    expect(overlap.message).toMatch(/tensor "b" \(bytes 4..12\) overlaps tensor "a" \(bytes 0..8\)/);
    show('case 6 (overlap)', overlap);
    const dup = open(
      'dup.safetensors',
      handMade(null, new Uint8Array(8), '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'),
    );
    expect(dup).toBeInstanceOf(SafetensorsError);
    expect(dup.message).toMatch(/tensor name "a" appears twice/);
    show('case 6 (duplicate key)', dup);
    const trailing = open('trailing.safetensors', handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(10)));
    expect(trailing).toBeInstanceOf(SafetensorsError);
    expect(trailing.message).toMatch(/6 trailing bytes after the last tensor/);
    show('case 6 (trailing bytes)', trailing);
    const hole = open('hole.safetensors', handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)));
    expect(hole.message).toMatch(/data bytes 0..4 belong to no tensor/);
  });
});
