/**
 * Resampling of HWC byte images. A separable triangle filter whose support grows with the
 * downscale factor: identical to half-pixel bilinear when enlarging, and antialiased
 * (like PIL's BILINEAR) when shrinking, so large photos do not alias down to 28x28.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

function taps(inSize: number, outSize: number, offset: number, span: number): Taps {
  // Output pixel x covers input [offset + x*scale, offset + (x+1)*scale).
  const scale = span / outSize;
  const support = Math.max(1, scale);
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let x = 0; x < outSize; x++) {
    const center = offset + (x + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(center - support));
    const hi = Math.min(inSize - 1, Math.floor(center + support));
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const w = Math.max(0, 1 - Math.abs(i - center) / support);
      weights[x * stride + i - lo] = w;
      sum += w;
    }
    if (sum === 0) {
      // The centre fell outside the image (edge): take the nearest pixel.
      const nearest = Math.min(inSize - 1, Math.max(0, Math.round(center)));
      start[x] = nearest;
      count[x] = 1;
      weights[x * stride] = 1;
      continue;
    }
    for (let i = 0; i <= hi - lo; i++) weights[x * stride + i]! /= sum;
    start[x] = lo;
    count[x] = hi - lo + 1;
  }
  return { start, count, weights, stride };
}

/** A crop window in input pixels: rows [top, top+height), columns [left, left+width). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Resamples `src` (h x w x c bytes), optionally a crop of it, to outH x outW. */
export function resizeBytes(
  src: Uint8Array,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  crop: CropBox = { top: 0, left: 0, height: h, width: w },
): Uint8Array {
  if (src.length !== h * w * c) throw new Error(`resize: ${src.length} bytes is not ${h}x${w}x${c}`);
  if (outH === crop.height && outW === crop.width && crop.top === 0 && crop.left === 0 && h === outH && w === outW) return src.slice();
  const ty = taps(h, outH, crop.top, crop.height);
  const tx = taps(w, outW, crop.left, crop.width);
  // Horizontal pass into floats, then vertical pass to bytes.
  const mid = new Float64Array(h * outW * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const s = tx.start[x]!,
        n = tx.count[x]!;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tx.weights[x * tx.stride + k]! * src[(y * w + s + k) * c + ch]!;
        mid[(y * outW + x) * c + ch] = acc;
      }
    }
  }
  const out = new Uint8Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    const s = ty.start[y]!,
      n = ty.count[y]!;
    for (let x = 0; x < outW; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += ty.weights[y * ty.stride + k]! * mid[((s + k) * outW + x) * c + ch]!;
        out[(y * outW + x) * c + ch] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return out;
}

/** How an image is brought to the target size. */
export type FitMode =
  /** Resize to exactly height x width (aspect ratio may change). */
  | 'stretch'
  /** Scale the shorter side to fit, then take the centre (CLIP's preprocessing). */
  | 'center-crop';

/** Brings an image to outH x outW by `fit`. */
export function fitBytes(src: Uint8Array, h: number, w: number, c: number, outH: number, outW: number, fit: FitMode): Uint8Array {
  if (fit === 'stretch') return resizeBytes(src, h, w, c, outH, outW);
  const scale = Math.max(outH / h, outW / w);
  const cropH = Math.min(h, outH / scale);
  const cropW = Math.min(w, outW / scale);
  return resizeBytes(src, h, w, c, outH, outW, { top: (h - cropH) / 2, left: (w - cropW) / 2, height: cropH, width: cropW });
}
