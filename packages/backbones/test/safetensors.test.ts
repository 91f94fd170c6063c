import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@hotplug/runtime';
import { SafetensorsReader, writeSafetensors } from '../src/index';
import { FIXTURES, setupBackend, tempDir } from './helpers';

/** A safetensors file built byte by byte here (not with the writer under test). */
function handMade(header: unknown, data: Uint8Array, headerOverride?: Buffer): Buffer {
  const h = headerOverride ?? Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
}

function writeTemp(bytes: Buffer, name = 'x.safetensors'): string {
  const path = join(tempDir('st'), name);
  writeFileSync(path, bytes);
  return path;
}

describe('safetensors', () => {
  beforeAll(setupBackend);

  it('round-trips float32 tensors exactly, writes atomically and aligns data to 8 bytes', () => {
    const rng = new Rng(3);
    const tensors = [
      { name: 'a.weight', shape: [3, 5], values: Float32Array.from({ length: 15 }, () => rng.normal()) },
      { name: 'scalar', shape: [], values: Float32Array.of(2.5) },
      { name: 'empty', shape: [0, 4], values: new Float32Array(0) },
      { name: 'b', shape: [7], values: Float32Array.from({ length: 7 }, () => rng.normal()) },
    ];
    const dir = tempDir('st-rt');
    const path = join(dir, 'w.safetensors');
    const calls: string[] = [];
    writeSafetensors(
      path,
      tensors.map((t) => ({
        name: t.name,
        shape: t.shape,
        data: () => {
          calls.push(t.name);
          return t.values;
        },
      })),
      { note: 'hi' },
    );
    expect(calls).toEqual(tensors.map((t) => t.name)); // each tensor is produced only when written, in order
    expect(readdirSync(dir)).toEqual(['w.safetensors']); // no temporary file left behind
    const bytes = readFileSync(path);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
    const reader = SafetensorsReader.open(path);
    expect(reader.names).toEqual(tensors.map((t) => t.name));
    expect(reader.metadata).toEqual({ note: 'hi' });
    for (const t of tensors) {
      expect(reader.entry(t.name).shape).toEqual(t.shape);
      expect(Array.from(reader.readFloat32(t.name))).toEqual(Array.from(t.values));
    }
    expect(() => reader.readFloat32('nope')).toThrow(/has no tensor "nope"/);
    reader.close();
    expect(() => reader.readFloat32('b')).toThrow(/was closed/);
  });

  it('a failed write leaves neither a partial file nor the old one damaged', () => {
    const dir = tempDir('st-fail');
    const path = join(dir, 'w.safetensors');
    writeSafetensors(path, [{ name: 'x', shape: [2], data: () => Float32Array.of(1, 2) }]);
    const before = readFileSync(path);
    expect(() => writeSafetensors(path, [{ name: 'x', shape: [3], data: () => Float32Array.of(1, 2) }])).toThrow(/has 2 values but shape \[3\] needs 3/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
    expect(() =>
      writeSafetensors(path, [
        { name: 'x', shape: [1], data: () => Float32Array.of(1) },
        { name: 'x', shape: [1], data: () => Float32Array.of(1) },
      ]),
    ).toThrow(/appears twice/);
  });

  it('decodes F16, BF16, F64, I32 and I64 to float32', () => {
    const data = Buffer.alloc(8 + 4 + 16 + 4 + 8);
    // F16: 1, -2, 0.5, +inf  (0x3C00, 0xC000, 0x3800, 0x7C00)
    [0x3c00, 0xc000, 0x3800, 0x7c00].forEach((h, i) => {
      data.writeUInt16LE(h, i * 2);
    });
    // BF16: 1.5, -0.25  (top halves of their float32 bit patterns)
    data.writeUInt16LE(0x3fc0, 8);
    data.writeUInt16LE(0xbe80, 10);
    // F64: 0.1, -3
    data.writeDoubleLE(0.1, 12);
    data.writeDoubleLE(-3, 20);
    data.writeInt32LE(-7, 28);
    data.writeBigInt64LE(123456789n, 32);
    const path = writeTemp(
      handMade(
        {
          h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
          bf: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
          d: { dtype: 'F64', shape: [2], data_offsets: [12, 28] },
          i: { dtype: 'I32', shape: [1], data_offsets: [28, 32] },
          l: { dtype: 'I64', shape: [1], data_offsets: [32, 40] },
        },
        data,
      ),
    );
    const r = SafetensorsReader.open(path);
    expect(() => r.readFloat32('h')).toThrow(/tensor "h" holds Infinity at element 3; expected finite values/);
    expect(Array.from(r.readFloat32('h', { allowNonFinite: true }))).toEqual([1, -2, 0.5, Infinity]);
    expect(Array.from(r.readFloat32('bf'))).toEqual([1.5, -0.25]);
    expect(Array.from(r.readFloat32('d'))).toEqual([Math.fround(0.1), -3]);
    expect(Array.from(r.readFloat32('i'))).toEqual([-7]);
    expect(Array.from(r.readFloat32('l'))).toEqual([Math.fround(123456789)]);
    r.close();
  });

  it('names the problem for malformed files', () => {
    const good = readFileSync(join(FIXTURES, 'tiny-clip-hf.safetensors'));
    const open = (bytes: Buffer) => () => SafetensorsReader.open(writeTemp(bytes)).close();
    expect(() => SafetensorsReader.open('/nonexistent/model.safetensors')).toThrow(/cannot open safetensors file/);
    expect(open(Buffer.from([1, 2, 3]))).toThrow(/truncated: 3 bytes, too short for the 8-byte header length/);
    expect(open(good.subarray(0, 100))).toThrow(/truncated: header declares \d+ bytes but only 92 follow/);
    expect(open(good.subarray(0, good.length - 10))).toThrow(/truncated: tensor "[^"]+" ends at byte \d+ but the file has \d+ bytes/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(1n << 40n);
    expect(open(huge)).toThrow(/bad header: declared header length \d+ bytes is implausible/);
    expect(open(handMade(null, new Uint8Array(0), Buffer.from('{"a": [1, 2', 'utf8')))).toThrow(/bad header: not UTF-8 JSON/);
    expect(open(handMade(null, new Uint8Array(0), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toThrow(/bad header: not UTF-8 JSON/);
    expect(open(handMade([1, 2], new Uint8Array(0)))).toThrow(/the JSON header must be an object/);
    expect(open(handMade({ __metadata__: { epoch: 3 } }, new Uint8Array(0)))).toThrow(/__metadata__ must be an object of string values/);
    expect(open(handMade({ x: { dtype: 'F32', shape: [2] } }, new Uint8Array(8)))).toThrow(/tensor "x" needs dtype, shape and data_offsets/);
    expect(open(handMade({ x: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(/tensor "x" has an invalid shape/);
    expect(open(handMade({ x: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, new Uint8Array(8)))).toThrow(/invalid data_offsets/);
    expect(open(handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /tensor "x" \[3\] F32 needs 12 bytes but data_offsets span 8/,
    );
    expect(open(handMade({ x: { dtype: 'Q4', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)))).toThrow(/unknown dtype "Q4"/);
    // A dtype the format defines but this package does not convert: the error names what is supported.
    const u8 = SafetensorsReader.open(writeTemp(handMade({ x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2))));
    expect(() => u8.readFloat32('x')).toThrow(/dtype U8, which is not supported \(supported: F32, F16, BF16, F64, I32, I64\)/);
    u8.close();
  });
});
