/// <reference path="../pngjs.d.ts" />
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

/** A decoded image: RGBA bytes, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The format of encoded image bytes, from their magic number (not the file extension). */
export function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Decodes PNG (pngjs) or JPEG (jpeg-js) bytes to RGBA; throws with a short reason on corrupt data. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const format = sniffFormat(bytes);
  if (format === 'png') {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (format === 'jpeg') {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
    if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 4) throw new Error('JPEG decoded to no pixels');
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error('not a PNG or JPEG file (unknown magic bytes)');
}

/**
 * RGBA to 1 channel (ITU-R 601 luma, as PIL's 'L': 0.299 R + 0.587 G + 0.114 B) or 3 (RGB).
 * Alpha is dropped: the images this package reads are opaque.
 */
export function rgbaToChannels(img: RgbaImage, channels: 1 | 3): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  const d = img.data;
  if (channels === 3) {
    for (let i = 0; i < n; i++) {
      out[3 * i] = d[4 * i]!;
      out[3 * i + 1] = d[4 * i + 1]!;
      out[3 * i + 2] = d[4 * i + 2]!;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.round((d[4 * i]! * 299 + d[4 * i + 1]! * 587 + d[4 * i + 2]! * 114) / 1000);
  }
  return out;
}
