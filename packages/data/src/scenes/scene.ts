import { Rng } from '@hotplug/runtime';
import type { ObjectBank, SceneSplit } from './bank';
import { BACKGROUND_COLOURS, OBJECT_COLOURS, RELATIONS, SIZES, TEXTURES, type Corner, type Relation, type SizeName, type Texture } from './lexicon';

/** How scenes are drawn. Every field has a default (SCENE_DEFAULTS); the canvas is square. */
export interface SceneConfig {
  /** Canvas side in pixels (default 64). */
  readonly canvas: number;
  /** Longest side of an object's ink, per size, in pixels (default small 16, large 26). */
  readonly objectSide: Readonly<Record<SizeName, number>>;
  readonly minObjects: number;
  readonly maxObjects: number;
  /** Chance that an object is rotated (default 0.25), by 15-30 degrees either way: enough to see, too little to turn a 6 into a 9. */
  readonly rotationProbability: number;
  readonly minRotation: number;
  readonly maxRotation: number;
  /** Chance of a plain background (default 0.4); otherwise a texture, uniformly. */
  readonly plainProbability: number;
}

export const SCENE_DEFAULTS: SceneConfig = {
  canvas: 64,
  objectSide: { small: 16, large: 26 },
  minObjects: 1,
  maxObjects: 4,
  rotationProbability: 0.25,
  minRotation: 15,
  maxRotation: 30,
  plainProbability: 0.4,
};

/** What a task may fix about a scene; everything else is drawn. */
export interface SceneConstraints {
  /** Exactly this many objects. */
  readonly count?: number;
  /** Allowed categories per object slot (slot i of the scene uses categories[i] when given). */
  readonly categories?: readonly (readonly number[] | undefined)[];
  /** Every object has this colour (an index into OBJECT_COLOURS); the background is drawn among those it stands out on. */
  readonly colour?: number;
  /** Object 0 stands in exactly this relation to object 1 (and in no other). Needs count 2. */
  readonly relation?: Relation;
}

export interface SceneObject {
  /** 0-19: Fashion-MNIST labels, then digits (SCENE_CATEGORIES). */
  readonly category: number;
  /** Id in the object bank of the scene's split. */
  readonly objectId: number;
  /** Index into OBJECT_COLOURS. */
  readonly colour: number;
  readonly size: SizeName;
  /** Degrees, counter-clockwise; 0 when upright. */
  readonly rotation: number;
  /** The object's box on the canvas: it never overlaps another object's box. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface SceneBackground {
  readonly texture: Texture;
  /** Index into BACKGROUND_COLOURS. */
  readonly colour: number;
  /** Stripes and gradients run vertically when true. */
  readonly vertical: boolean;
}

/** A scene's ground truth: everything a caption or a task label is derived from. */
export interface Scene {
  readonly split: SceneSplit;
  readonly seed: number;
  readonly index: number;
  readonly canvas: number;
  readonly background: SceneBackground;
  readonly objects: readonly SceneObject[];
}

type Rgb = readonly [number, number, number];

/** The lighter second colour of a textured background. */
export function backgroundShade(colour: number): Rgb {
  const [r, g, b] = BACKGROUND_COLOURS[colour]!.rgb;
  return [Math.min(255, r + 50), Math.min(255, g + 50), Math.min(255, b + 50)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

// An object colour is used on a background only if it is this far (RGB distance) from both of
// the background's colours, so "a red shirt" is visibly red there.
const MIN_CONTRAST = 120;
/** compatible[bg] = object colours that stand out on background colour bg. */
export const COMPATIBLE_COLOURS: readonly (readonly number[])[] = BACKGROUND_COLOURS.map((bg, b) => {
  const ok = OBJECT_COLOURS.map((_, c) => c).filter(
    (c) => distance(OBJECT_COLOURS[c]!.rgb, bg.rgb) >= MIN_CONTRAST && distance(OBJECT_COLOURS[c]!.rgb, backgroundShade(b)) >= MIN_CONTRAST,
  );
  if (ok.length < 4) throw new Error(`background ${bg.name} leaves only ${ok.length} object colours`);
  return ok;
});

/** Mixes (seed, index) into one 32-bit seed, so scene i of a stream needs no scenes before it. */
export function sceneSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ (index >>> 0), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 16) ^ Math.floor(index / 4294967296), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** Relations of a's box to b's box: a is left of b when a ends before b starts, and so on. */
export function relationsBetween(a: SceneObject, b: SceneObject): Relation[] {
  const out: Relation[] = [];
  if (a.x + a.w <= b.x) out.push('left of');
  if (b.x + b.w <= a.x) out.push('right of');
  if (a.y + a.h <= b.y) out.push('above');
  if (b.y + b.h <= a.y) out.push('below');
  return out;
}

/** The corner an object sits in (its centre in a corner third of the canvas), or null. */
export function cornerOf(o: SceneObject, canvas: number): Corner | null {
  const r = regionOf(o, canvas);
  if (r.horizontal === 'centre' || r.vertical === 'centre') return null;
  return `${r.vertical} ${r.horizontal}` as Corner;
}

/** Which third of the canvas the object's centre falls in, across and down. */
export function regionOf(o: SceneObject, canvas: number): { horizontal: 'left' | 'centre' | 'right'; vertical: 'top' | 'centre' | 'bottom' } {
  const cx = o.x + o.w / 2;
  const cy = o.y + o.h / 2;
  const third = canvas / 3;
  return {
    horizontal: cx < third ? 'left' : cx > 2 * third ? 'right' : 'centre',
    vertical: cy < third ? 'top' : cy > 2 * third ? 'bottom' : 'centre',
  };
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function checkConstraints(c: SceneConstraints, config: SceneConfig): void {
  if (c.count !== undefined && !(Number.isInteger(c.count) && c.count >= 1 && c.count <= 4)) throw new Error(`scene count must be 1-4, got ${c.count}`);
  if (c.relation !== undefined && c.count !== 2) throw new Error(`a scene relation needs count 2, got count ${c.count}`);
  if (c.relation !== undefined && !RELATIONS.includes(c.relation)) throw new Error(`unknown relation '${c.relation}'; known: ${RELATIONS.join(', ')}`);
  if (c.colour !== undefined && !(Number.isInteger(c.colour) && c.colour >= 0 && c.colour < OBJECT_COLOURS.length))
    throw new Error(`scene colour must be an index 0-${OBJECT_COLOURS.length - 1}, got ${c.colour}`);
  if (config.minObjects < 1 || config.maxObjects > 4 || config.minObjects > config.maxObjects)
    throw new Error(`scene object count range ${config.minObjects}-${config.maxObjects} must lie within 1-4`);
}

const ATTEMPTS = 200;

/**
 * Scene `index` of the stream `seed` over `bank`: a pure function of its arguments. Objects are
 * placed by seeded rejection sampling so boxes never overlap; a whole new draw follows from the
 * same generator when a constraint (count, relation) is not met.
 */
export function sampleScene(bank: ObjectBank, seed: number, index: number, config: SceneConfig = SCENE_DEFAULTS, constraints: SceneConstraints = {}): Scene {
  checkConstraints(constraints, config);
  const rng = new Rng(sceneSeed(seed, index));
  const canvas = config.canvas;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const colourFixed = constraints.colour;
    const bgChoices =
      colourFixed === undefined
        ? BACKGROUND_COLOURS.map((_, b) => b)
        : BACKGROUND_COLOURS.map((_, b) => b).filter((b) => COMPATIBLE_COLOURS[b]!.includes(colourFixed));
    const background: SceneBackground = {
      texture: rng.next() < config.plainProbability ? 'plain' : TEXTURES[1 + rng.int(TEXTURES.length - 1)]!,
      colour: pick(rng, bgChoices),
      vertical: rng.next() < 0.5,
    };
    const count = constraints.count ?? config.minObjects + rng.int(config.maxObjects - config.minObjects + 1);
    const objects: SceneObject[] = [];
    for (let slot = 0; slot < count; slot++) {
      const allowed = constraints.categories?.[slot];
      const category = allowed ? pick(rng, allowed) : rng.int(20);
      const pool = bank.byCategory[category]!;
      const objectId = pool[rng.int(pool.length)]!;
      const colour = colourFixed ?? pick(rng, COMPATIBLE_COLOURS[background.colour]!);
      let size: SizeName = SIZES[rng.int(SIZES.length)]!;
      const rotation =
        rng.next() < config.rotationProbability
          ? (rng.next() < 0.5 ? -1 : 1) * (config.minRotation + rng.next() * (config.maxRotation - config.minRotation))
          : 0;
      let placed = place(bank, objectId, size, rotation, objects, config, rng);
      // A large object that finds no room is tried once more as a small one.
      if (placed === null && size === 'large') {
        size = 'small';
        placed = place(bank, objectId, size, rotation, objects, config, rng);
      }
      if (!placed) break;
      objects.push({ category, objectId, colour, size, rotation, ...placed });
    }
    if (objects.length < count) continue;
    if (constraints.relation !== undefined) {
      const rel = relationsBetween(objects[0]!, objects[1]!);
      if (rel.length !== 1) continue;
      // Mirroring the boxes across the canvas gives the opposite relation: move them instead of drawing again.
      if (rel[0] !== constraints.relation) {
        const axis = (r: Relation) => (r === 'left of' || r === 'right of' ? 'x' : 'y');
        if (axis(rel[0]!) !== axis(constraints.relation)) continue;
        for (let k = 0; k < objects.length; k++) {
          const o = objects[k]!;
          objects[k] = axis(rel[0]!) === 'x' ? { ...o, x: canvas - o.x - o.w } : { ...o, y: canvas - o.y - o.h };
        }
      }
    }
    return { split: bank.split, seed, index, canvas, background, objects };
  }
  throw new Error(
    `could not place a scene (seed ${seed}, index ${index}) with ${JSON.stringify(constraints)} in ${ATTEMPTS} attempts; use a larger canvas or smaller objects`,
  );
}

/** The box of an object at this size and rotation. */
export function objectBoxSize(bank: ObjectBank, objectId: number, side: number, rotation: number): { w: number; h: number; scale: number } {
  const ih = bank.inkBox[4 * objectId + 2]!;
  const iw = bank.inkBox[4 * objectId + 3]!;
  const scale = side / Math.max(ih, iw);
  const t = (rotation * Math.PI) / 180;
  const c = Math.abs(Math.cos(t));
  const s = Math.abs(Math.sin(t));
  const w = iw * scale;
  const h = ih * scale;
  return { w: Math.max(2, Math.ceil(w * c + h * s)), h: Math.max(2, Math.ceil(w * s + h * c)), scale };
}

function place(
  bank: ObjectBank,
  objectId: number,
  size: SizeName,
  rotation: number,
  others: readonly SceneObject[],
  config: SceneConfig,
  rng: Rng,
): { x: number; y: number; w: number; h: number } | null {
  const { w, h } = objectBoxSize(bank, objectId, config.objectSide[size], rotation);
  if (w > config.canvas || h > config.canvas) return null;
  for (let t = 0; t < 30; t++) {
    const x = rng.int(config.canvas - w + 1);
    const y = rng.int(config.canvas - h + 1);
    // One pixel of gap, so touching boxes are not read as one object.
    if (others.every((o) => x + w + 1 <= o.x || o.x + o.w + 1 <= x || y + h + 1 <= o.y || o.y + o.h + 1 <= y)) return { x, y, w, h };
  }
  return null;
}
