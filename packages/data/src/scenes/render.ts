import { objectBoxSize, backgroundShade, type Scene, type SceneBackground, type SceneConfig, SCENE_DEFAULTS } from './scene';
import { objectBitmap, OBJECT_SIDE, type ObjectBank } from './bank';
import { BACKGROUND_COLOURS, OBJECT_COLOURS } from './lexicon';

function drawBackground(bg: SceneBackground, canvas: number, out: Uint8Array, salt: number): void {
  const base = BACKGROUND_COLOURS[bg.colour]!.rgb;
  const shade = backgroundShade(bg.colour);
  const row = canvas * 3;
  // Colour of a pixel as a function of one coordinate (stripes, gradient) or of both (the rest).
  const mix = (t: number, p: number) => {
    out[p] = base[0] + (shade[0] - base[0]) * t;
    out[p + 1] = base[1] + (shade[1] - base[1]) * t;
    out[p + 2] = base[2] + (shade[2] - base[2]) * t;
  };
  if (bg.texture === 'plain' || bg.texture === 'stripes' || bg.texture === 'gradient') {
    const t = (k: number) => (bg.texture === 'plain' ? 0 : bg.texture === 'stripes' ? (k >> 2) & 1 : k / (canvas - 1));
    if (bg.vertical || bg.texture === 'plain') {
      // Same in every row: draw row 0, copy it down.
      for (let x = 0; x < canvas; x++) mix(t(x), 3 * x);
      for (let y = 1; y < canvas; y++) out.copyWithin(y * row, 0, row);
    } else {
      for (let y = 0; y < canvas; y++) {
        mix(t(y), y * row);
        for (let p = y * row + 3; p < (y + 1) * row; p++) out[p] = out[p - 3]!;
      }
    }
    return;
  }
  for (let y = 0; y < canvas; y++) {
    for (let x = 0; x < canvas; x++) {
      let t: number;
      if (bg.texture === 'checker') t = ((x >> 3) ^ (y >> 3)) & 1;
      else if (bg.texture === 'dots') {
        const dx = (x & 7) - 3.5;
        const dy = (y & 7) - 3.5;
        t = dx * dx + dy * dy <= 5 ? 1 : 0;
      } else {
        let h = Math.imul((x * 73856093) ^ (y * 19349663) ^ salt, 0x9e3779b1);
        h ^= h >>> 15;
        t = (h & 3) / 3;
      }
      mix(t, y * row + 3 * x);
    }
  }
}

/** Where and how one object is drawn: its 28x28 bitmap, ink box and level, colour, canvas box, scale and rotation. */
export interface ObjectDraw {
  readonly bitmap: Uint8Array;
  readonly top: number;
  readonly left: number;
  readonly ih: number;
  readonly iw: number;
  /** Ink at or above this is drawn in the full colour (inkBoxOf's level). */
  readonly level: number;
  readonly rgb: readonly [number, number, number];
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly scale: number;
  readonly rotation: number;
}

/**
 * Draws one object into an RGB canvas: its ink box scaled by `scale`, rotated about the box
 * centre, sampled bilinearly, and used as coverage of the colour over what is there.
 */
export function drawObject(img: Uint8Array, canvas: number, d: ObjectDraw): void {
  const { bitmap, top, left, ih, iw } = d;
  // 0.8: bilinear sampling blurs a stroke's core a little below the level; keep it full colour.
  const gain = 1 / (0.8 * d.level);
  const [cr, cg, cb] = d.rgb;
  const t = (d.rotation * Math.PI) / 180;
  const cos = Math.cos(t) / d.scale;
  const sin = Math.sin(t) / d.scale;
  const cx = d.x + d.w / 2;
  const cy = d.y + d.h / 2;
  const icx = left + iw / 2;
  const icy = top + ih / 2;
  const bottom = top + ih;
  const right = left + iw;
  for (let py = Math.max(0, d.y); py < Math.min(canvas, d.y + d.h); py++) {
    const dy = py + 0.5 - cy;
    for (let px = Math.max(0, d.x); px < Math.min(canvas, d.x + d.w); px++) {
      const dx = px + 0.5 - cx;
      // Inverse rotation (canvas -> bitmap), then the pixel-centre convention of bilinear sampling.
      const u = cos * dx - sin * dy + icx;
      const v = sin * dx + cos * dy + icy;
      if (u < left || u >= right || v < top || v >= bottom) continue;
      const fx = u - 0.5;
      const fy = v - 0.5;
      let x0 = Math.floor(fx);
      let y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const x1 = x0 + 1 < OBJECT_SIDE ? x0 + 1 : x0;
      const y1 = y0 + 1 < OBJECT_SIDE ? y0 + 1 : y0;
      if (x0 < 0) x0 = 0;
      if (y0 < 0) y0 = 0;
      const ink =
        (bitmap[y0 * OBJECT_SIDE + x0]! * (1 - ax) + bitmap[y0 * OBJECT_SIDE + x1]! * ax) * (1 - ay) +
        (bitmap[y1 * OBJECT_SIDE + x0]! * (1 - ax) + bitmap[y1 * OBJECT_SIDE + x1]! * ax) * ay;
      let a = ink * gain;
      if (a <= 0.02) continue;
      if (a > 1) a = 1;
      const p = 3 * (py * canvas + px);
      img[p] = img[p]! + (cr - img[p]!) * a;
      img[p + 1] = img[p + 1]! + (cg - img[p + 1]!) * a;
      img[p + 2] = img[p + 2]! + (cb - img[p + 2]!) * a;
    }
  }
}

/** Fills a canvas with a background (exported for single-object canvases). */
export function fillBackground(bg: SceneBackground, canvas: number, out: Uint8Array, salt = 0): void {
  drawBackground(bg, canvas, out, salt);
}

/** Draws a scene into `out` (canvas*canvas*3 bytes, RGB, row-major; allocated when omitted). */
export function renderScene(bank: ObjectBank, scene: Scene, config: SceneConfig = SCENE_DEFAULTS, out?: Uint8Array): Uint8Array {
  const canvas = scene.canvas;
  const bytes = canvas * canvas * 3;
  if (out && out.length !== bytes) throw new Error(`renderScene: output buffer has ${out.length} bytes, a ${canvas}x${canvas} RGB canvas needs ${bytes}`);
  const img = out ?? new Uint8Array(bytes);
  drawBackground(scene.background, canvas, img, scene.index ^ scene.seed);
  for (const o of scene.objects) {
    const id = o.objectId;
    drawObject(img, canvas, {
      bitmap: objectBitmap(bank, id),
      top: bank.inkBox[4 * id]!,
      left: bank.inkBox[4 * id + 1]!,
      ih: bank.inkBox[4 * id + 2]!,
      iw: bank.inkBox[4 * id + 3]!,
      level: bank.level[id]!,
      rgb: OBJECT_COLOURS[o.colour]!.rgb,
      x: o.x,
      y: o.y,
      w: o.w,
      h: o.h,
      scale: objectBoxSize(bank, id, config.objectSide[o.size], o.rotation).scale,
      rotation: o.rotation,
    });
  }
  return img;
}
