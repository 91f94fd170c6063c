// Writes small RGB PNGs for the bring-your-own-data tests with its own encoder (node:zlib's deflate and
// crc32; no pngjs, which @hotplug/data decodes with), so a decoder bug cannot cancel out an encoder bug.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of side x side filled with `rgb`, a bright square in the top-left quarter. */
export function rgbPng(side: number, rgb: readonly [number, number, number]): Buffer {
  return rgbPngOf(side, side, (x, y) => (x < side / 2 && y < side / 2 ? [255, 255, 255] : rgb));
}

/** An 8-bit RGB PNG of width x height with the colour `at(x, y)` per pixel. */
export function rgbPngOf(width: number, height: number, at: (x: number, y: number) => readonly number[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // filter byte 0 (none) leads each scanline
    for (let x = 0; x < width; x++) {
      const px = at(x, y);
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = px[c]!;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export const TINY_CLASSES = { red: [200, 30, 30], green: [30, 180, 40], blue: [20, 40, 210] } as const;

/**
 * `root/<class>/<i>.png` for three colour classes, `perClass` images each (40x40, so every model
 * input needs a resize), and `root/captions.csv` listing them with a caption and label.
 */
export function writeTinyImageFolder(root: string, perClass = 4): { root: string; captions: string; files: number } {
  const lines = ['path,caption,label'];
  for (const [name, rgb] of Object.entries(TINY_CLASSES)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const shade = rgb.map((v) => Math.max(0, Math.min(255, v + 8 * i - 12))) as [number, number, number];
      writeFileSync(join(root, name, `${i}.png`), rgbPng(40, shade));
      lines.push(`${name}/${i}.png,"a ${name} picture, number ${i}",${name}`);
    }
  }
  const captions = join(root, 'captions.csv');
  writeFileSync(captions, `${lines.join('\n')}\n`);
  return { root, captions, files: 3 * perClass };
}
