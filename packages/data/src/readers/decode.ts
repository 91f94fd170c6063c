/// <reference path="../pngjs.d.ts" />
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ImageDecodeError } from '../errors';

/** A decoded image: RGBA bytes, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Bounds on what an image may declare, checked from its header before any pixel buffer is allocated. */
export interface ImageLimits {
  /** Default 16384. */
  maxWidth?: number;
  /** Default 16384. */
  maxHeight?: number;
  /** width x height; default 40,000,000 (160 MB as RGBA). */
  maxPixels?: number;
  /** Largest image file read (bytes); default 256 MiB. */
  maxFileBytes?: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<Required<ImageLimits>> = Object.freeze({
  maxWidth: 16384,
  maxHeight: 16384,
  maxPixels: 40_000_000,
  maxFileBytes: 256 * 1024 * 1024,
});

/** The format of encoded image bytes, from their magic number (not the file extension). */
export function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

function checkSize(width: number, height: number, limits: ImageLimits, file: string, format: string): void {
  const l = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  if (!(width > 0 && height > 0))
    throw new ImageDecodeError({ file, field: `${format} header`, problem: `declares ${width}x${height} pixels`, expected: 'a positive width and height' });
  if (width > l.maxWidth || height > l.maxHeight || width * height > l.maxPixels)
    throw new ImageDecodeError({
      file,
      field: `${format} header`,
      problem: `declares ${width}x${height} pixels, above the limits (maxWidth ${l.maxWidth}, maxHeight ${l.maxHeight}, maxPixels ${l.maxPixels})`,
      fix: 'Pass larger limits if such images are expected',
    });
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bytes of the filtered scanlines a PNG of this size must inflate to (Adam7 passes included). */
function pngRawSize(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!interlaced) return rows(width, height);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  return passes.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

/**
 * Walks the PNG's chunks before pngjs sees it: IHDR first and within the limits, every chunk
 * inside the file, IEND present, and the IDAT stream inflating to exactly the scanlines the
 * header declares (pngjs fills a short stream with zeros instead of failing).
 */
function checkPng(bytes: Uint8Array, limits: ImageLimits, file: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (problem: string, field = 'PNG chunks'): never => {
    throw new ImageDecodeError({ file, field, problem, fix: 'The file is truncated or corrupt; re-export or re-download it' });
  };
  if (bytes.length < 8 + 25) fail(`${bytes.length} bytes is too short for a PNG signature and IHDR chunk`);
  let pos = 8;
  const idat: Uint8Array[] = [];
  let header: { width: number; height: number; bpp: number; interlaced: boolean } | undefined;
  let ended = false;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) fail(`chunk header at byte ${pos} runs past the end of the file (${bytes.length} bytes)`);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    if (pos + 12 + length > bytes.length)
      fail(`chunk ${JSON.stringify(type)} at byte ${pos} declares ${length} bytes, past the end of the file (${bytes.length} bytes)`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (!header) {
      if (type !== 'IHDR' || length !== 13) fail(`first chunk is ${JSON.stringify(type)} (${length} bytes)`, 'IHDR');
      const width = view.getUint32(pos + 8);
      const height = view.getUint32(pos + 12);
      const depth = data[8]!;
      const colour = data[9]!;
      const channels = PNG_CHANNELS[colour];
      if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) fail(`unsupported colour type ${colour} / bit depth ${depth}`, 'IHDR');
      if (data[12]! > 1) fail(`unknown interlace method ${data[12]}`, 'IHDR');
      checkSize(width, height, limits, file, 'PNG');
      header = { width, height, bpp: channels * depth, interlaced: data[12] === 1 };
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos += 12 + length;
  }
  if (!ended) fail('no IEND chunk: the file is truncated');
  if (idat.length === 0) fail('no IDAT chunk: the file holds no pixels');
  const expected = pngRawSize(header!.width, header!.height, header!.bpp, header!.interlaced);
  let raw: Buffer;
  try {
    // One byte over the expected size is enough to tell "too long" from "exact".
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || /larger than/.test(e.message)) fail(`pixel data inflates past the ${expected} bytes the header declares`, 'IDAT');
    fail(`pixel data does not inflate (${e.message})`, 'IDAT');
  }
  if (raw!.length !== expected)
    fail(`pixel data inflates to ${raw!.length} bytes but ${header!.width}x${header!.height} needs ${expected}: the image is truncated`, 'IDAT');
}

/** The frame size of a JPEG from its SOF marker, read before decoding. */
function jpegSize(bytes: Uint8Array, file: string): { width: number; height: number } {
  const fail = (problem: string): never => {
    throw new ImageDecodeError({ file, field: 'JPEG markers', problem, fix: 'The file is truncated or corrupt; re-export or re-download it' });
  };
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) fail(`expected a marker at byte ${pos}`);
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (length < 2 || pos + 2 + length > bytes.length) fail(`segment 0xff${marker.toString(16)} at byte ${pos} runs past the end of the file`);
    // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7) fail('SOF segment too short');
      return { height: (bytes[pos + 5]! << 8) | bytes[pos + 6]!, width: (bytes[pos + 7]! << 8) | bytes[pos + 8]! };
    }
    if (marker === 0xda || marker === 0xd9) break;
    pos += 2 + length;
  }
  return fail('no frame header (SOF) before the image data');
}

/**
 * Decodes PNG (pngjs) or JPEG (jpeg-js) bytes to RGBA. Declared dimensions are checked
 * against `limits` before any pixel buffer is allocated; truncated or corrupt files throw
 * ImageDecodeError (never zero-filled pixels). `file` names the source in errors.
 */
export function decodeImage(bytes: Uint8Array, options: { limits?: ImageLimits; file?: string } = {}): RgbaImage {
  const file = options.file ?? 'image bytes';
  const limits = options.limits ?? {};
  const format = sniffFormat(bytes);
  if (format === 'png') {
    checkPng(bytes, limits, file);
    let png: ReturnType<typeof PNG.sync.read>;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new ImageDecodeError({ file, field: 'PNG', problem: `corrupt PNG: ${(err as Error).message}`, fix: 'Re-export or re-download the image' });
    }
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (format === 'jpeg') {
    const { width, height } = jpegSize(bytes, file);
    checkSize(width, height, limits, file, 'JPEG');
    let img: jpeg.RawImageData<Uint8Array>;
    try {
      // jpeg-js's own guards as a second line: the frame was already checked above.
      const megapixels = (width * height) / 1e6 + 1;
      img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: false,
        maxResolutionInMP: megapixels,
        maxMemoryUsageInMB: Math.ceil(megapixels * 16 + 64),
      });
    } catch (err) {
      throw new ImageDecodeError({
        file,
        field: 'JPEG',
        problem: `corrupt or truncated JPEG: ${(err as Error).message}`,
        fix: 'Re-export or re-download the image',
      });
    }
    if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 4)
      throw new ImageDecodeError({ file, field: 'JPEG', problem: 'JPEG decoded to no pixels' });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new ImageDecodeError({ file, problem: 'not a PNG or JPEG file (unknown magic bytes)', expected: 'PNG or JPEG bytes' });
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
