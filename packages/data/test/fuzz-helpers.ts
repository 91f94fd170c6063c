// Shared by the fuzz and regression tests: outcome counting, memory and written-files checks,
// and a PNG writer (chunks, CRCs and zlib done here, independent of pngjs).
import { readdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { InvalidFileError } from '../src/index';

export type Outcome = 'accepted' | 'clear error' | 'other';
const counts = new Map<string, Record<Outcome, number>>();

/** Runs `fn` on one malformed input: a named InvalidFileError is a clear error; anything else thrown fails the test. */
export function tryInput(reader: string, fn: () => unknown): Outcome {
  const c = counts.get(reader) ?? { accepted: 0, 'clear error': 0, other: 0 };
  counts.set(reader, c);
  try {
    fn();
    c.accepted++;
    return 'accepted';
  } catch (err) {
    if (err instanceof InvalidFileError && err.message.length > 0) {
      c['clear error']++;
      return 'clear error';
    }
    c.other++;
    throw new Error(`${reader}: not a named error: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  }
}

export function summary(): string {
  const lines = ['reader | tried | clear error | accepted | other'];
  for (const [reader, c] of counts) lines.push(`${reader} | ${c.accepted + c['clear error'] + c.other} | ${c['clear error']} | ${c.accepted} | ${c.other}`);
  return lines.join('\n');
}

export function memoryNow(): number {
  const m = process.memoryUsage();
  return m.rss + m.arrayBuffers;
}

export function expectMemoryBounded(before: number, mb: number): void {
  expect((memoryNow() - before) / 2 ** 20).toBeLessThan(mb);
}

export function expectOnly(dir: string, names: readonly string[]): void {
  expect(readdirSync(dir).sort()).toEqual([...names].sort());
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
  return out;
}

/** An 8-bit grayscale PNG of width x height whose IDAT holds `raw` (filtered scanlines) deflated. */
export function grayPng(width: number, height: number, raw: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** Filtered scanlines (filter 0) of a width x height gray image with pixel value v. */
export function scanlines(width: number, height: number, v = 7): Uint8Array {
  const raw = new Uint8Array(height * (width + 1)).fill(v);
  for (let r = 0; r < height; r++) raw[r * (width + 1)] = 0;
  return raw;
}
