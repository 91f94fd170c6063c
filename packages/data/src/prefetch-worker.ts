// The prefetch worker: gathers a batch's bytes from shared memory and executes the planned
// transform steps in plain JavaScript, on another thread, while the main thread trains.
// It mirrors tfjs's cpu kernels (Transform with constant fill, ResizeBilinear with half-pixel
// centres) so its batches match the tfjs path; tests compare the two.

/** Messages to the worker. */
export type WorkerRequest =
  | { type: 'init'; images: SharedArrayBuffer; height: number; width: number; channels: number }
  | { type: 'batch'; id: number; indices: Int32Array; steps: unknown[] };

/** Messages from the worker. */
export type WorkerReply = { id: number; data: Float32Array; shape: [number, number, number, number]; readyAt: number } | { id: number; error: string };

// Self-contained on purpose: its source text becomes the worker (new Worker(source, { eval: true })),
// which works the same from src/ under vitest and from the bundled dist/.
function workerMain(): void {
  // Not `require`: bundlers rewrite it, and this function's text must run as written.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  type Step =
    | { op: 'warp'; rows: number[][]; interpolation: 'nearest' | 'bilinear'; fill: number }
    | { op: 'normalize'; mean: number[]; std: number[] }
    | { op: 'resize'; height: number; width: number }
    | { op: 'tile3' };
  let images: Uint8Array = new Uint8Array(0);
  let H = 0,
    W = 0,
    C = 0;

  function warp(src: Float32Array, b: number, h: number, w: number, c: number, step: Extract<Step, { op: 'warp' }>): Float32Array {
    const out = new Float32Array(src.length);
    const fill = step.fill;
    const nearest = step.interpolation === 'nearest';
    for (let n = 0; n < b; n++) {
      // The rows travel through a float32 tensor in the tfjs path: round them the same way.
      const t = step.rows[n]!.map((v) => Math.fround(v));
      const base = n * h * w * c;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const inX = t[0]! * x + t[1]! * y + t[2]!;
          const inY = t[3]! * x + t[4]! * y + t[5]!;
          const o = base + (y * w + x) * c;
          if (nearest) {
            const yy = Math.round(inY),
              xx = Math.round(inX);
            const inside = yy >= 0 && yy < h && xx >= 0 && xx < w;
            for (let ch = 0; ch < c; ch++) out[o + ch] = inside ? src[base + (yy * w + xx) * c + ch]! : fill;
            continue;
          }
          const y0 = Math.floor(inY),
            x0 = Math.floor(inX),
            y1 = y0 + 1,
            x1 = x0 + 1;
          const okY0 = y0 >= 0 && y0 < h,
            okY1 = y1 >= 0 && y1 < h,
            okX0 = x0 >= 0 && x0 < w,
            okX1 = x1 >= 0 && x1 < w;
          const wx0 = x1 - inX,
            wx1 = inX - x0,
            wy0 = y1 - inY,
            wy1 = inY - y0;
          for (let ch = 0; ch < c; ch++) {
            const p00 = okY0 && okX0 ? src[base + (y0 * w + x0) * c + ch]! : fill;
            const p01 = okY0 && okX1 ? src[base + (y0 * w + x1) * c + ch]! : fill;
            const p10 = okY1 && okX0 ? src[base + (y1 * w + x0) * c + ch]! : fill;
            const p11 = okY1 && okX1 ? src[base + (y1 * w + x1) * c + ch]! : fill;
            out[o + ch] = wy0 * (wx0 * p00 + wx1 * p01) + wy1 * (wx0 * p10 + wx1 * p11);
          }
        }
      }
    }
    return out;
  }

  function resize(src: Float32Array, b: number, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
    const out = new Float32Array(b * oh * ow * c);
    const sy = h / oh,
      sx = w / ow;
    for (let n = 0; n < b; n++) {
      for (let y = 0; y < oh; y++) {
        const fy = sy * (y + 0.5) - 0.5;
        const y0 = Math.max(0, Math.floor(fy)),
          y1 = Math.min(h - 1, Math.ceil(fy)),
          ry = fy - y0;
        for (let x = 0; x < ow; x++) {
          const fx = sx * (x + 0.5) - 0.5;
          const x0 = Math.max(0, Math.floor(fx)),
            x1 = Math.min(w - 1, Math.ceil(fx)),
            rx = fx - x0;
          for (let ch = 0; ch < c; ch++) {
            const at = (yy: number, xx: number) => src[((n * h + yy) * w + xx) * c + ch]!;
            const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * rx;
            const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * rx;
            out[((n * oh + y) * ow + x) * c + ch] = top + (bottom - top) * ry;
          }
        }
      }
    }
    return out;
  }

  parentPort!.on('message', (msg: { type: string; [k: string]: unknown }) => {
    if (msg.type === 'init') {
      images = new Uint8Array(msg.images as SharedArrayBuffer);
      [H, W, C] = [msg.height as number, msg.width as number, msg.channels as number];
      return;
    }
    const id = msg.id as number;
    try {
      const indices = msg.indices as Int32Array;
      const per = H * W * C;
      let b = indices.length,
        h = H,
        w = W,
        c = C;
      let data: Float32Array = new Float32Array(b * per);
      for (let i = 0; i < b; i++) {
        const base = indices[i]! * per;
        for (let k = 0; k < per; k++) data[i * per + k] = images[base + k]! / 255;
      }
      for (const step of msg.steps as Step[]) {
        if (step.op === 'warp') data = warp(data, b, h, w, c, step);
        else if (step.op === 'resize') {
          data = resize(data, b, h, w, c, step.height, step.width);
          [h, w] = [step.height, step.width];
        } else if (step.op === 'tile3') {
          const out = new Float32Array(data.length * 3);
          for (let i = 0; i < data.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i]!;
          data = out;
          c = 3;
        } else {
          const mean = step.mean.map((v) => Math.fround(v)),
            std = step.std.map((v) => Math.fround(v));
          for (let i = 0; i < data.length; i++) {
            const ch = mean.length === 1 ? 0 : i % c;
            data[i] = Math.fround(data[i]! - mean[ch]!) / std[ch]!;
          }
        }
      }
      parentPort!.postMessage({ id, data, shape: [b, h, w, c], readyAt: Date.now() }, [data.buffer as ArrayBuffer]);
    } catch (err) {
      parentPort!.postMessage({ id, error: (err as Error).stack ?? String(err) });
    }
  });
}

/** Source text of the worker, for `new Worker(PREFETCH_WORKER_SOURCE, { eval: true })`. */
export const PREFETCH_WORKER_SOURCE = `(${workerMain.toString()})();`;
