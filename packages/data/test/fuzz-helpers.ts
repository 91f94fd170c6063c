// Shared by the fuzz and regression tests: a PNG writer (chunks, CRCs and zlib done here, independent
// of pngjs). Outcome counting and the memory / written-files checks are tools/test-support/fuzz.ts.
import { crc32, deflateSync } from 'node:zlib';

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
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Filtered scanlines (filter 0) of a width x height gray image with pixel value v. */
export function scanlines(width: number, height: number, v = 7): Uint8Array {
  const raw = new Uint8Array(height * (width + 1)).fill(v);
  for (let r = 0; r < height; r++) raw[r * (width + 1)] = 0;
  return raw;
}
