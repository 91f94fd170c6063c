import { describe, expect, it } from 'vitest';
import { sha256 } from '@hotplug/runtime';
import {
  ADAPTER_CORPUS,
  BACKGROUND_COLOURS,
  OBJECT_COLOURS,
  PRETRAINING_CORPUS,
  SCENE_SOURCES,
  backgroundShade,
  loadDataset,
  objectBitmap,
  relationsBetween,
  sceneWorld,
  type Scene,
} from '../src/index';
import { checkClaim, readCaption } from './caption-reader';

const train = sceneWorld('train');
const test = sceneWorld('test');

describe('scene generator', () => {
  it('is a pure function of (seed, index): same scene, pixels and caption in any order of access', () => {
    const direct = [500, 3, 77].map((i) => train.sample(9, i));
    const stream = train.stream(9);
    const walked = Array.from({ length: 501 }, () => stream.next().value!);
    for (const d of direct) {
      const w = walked[d.scene.index]!;
      expect(w.scene).toEqual(d.scene);
      expect(Buffer.from(w.image).equals(Buffer.from(d.image))).toBe(true);
      expect(w.caption).toBe(d.caption);
    }
    const again = sceneWorld('train').set({ seed: 9, size: 20 });
    expect(Buffer.from(again.images.subarray(3 * 64 * 64 * 3, 4 * 64 * 64 * 3)).equals(Buffer.from(walked[3]!.image))).toBe(true);
    expect(again.captions[3]).toBe(walked[3]!.caption);
    // Another seed is another stream.
    const other = train.set({ seed: 10, size: 20 });
    expect(other.captions.filter((c, i) => c === again.captions[i]).length).toBeLessThan(3);
  });

  it('draws 1-4 non-overlapping objects of all 20 categories, 10 colours, 2 sizes, every texture, some rotated', () => {
    const set = { scenes: Array.from({ length: 3000 }, (_, i) => train.scene(1, i)) };
    const seen = {
      count: new Set<number>(),
      cat: new Set<number>(),
      colour: new Set<number>(),
      size: new Set<string>(),
      texture: new Set<string>(),
      rotated: 0,
    };
    for (const s of set.scenes) {
      seen.count.add(s.objects.length);
      seen.texture.add(s.background.texture);
      for (const o of s.objects) {
        seen.cat.add(o.category);
        seen.colour.add(o.colour);
        seen.size.add(o.size);
        if (o.rotation !== 0) seen.rotated++;
        expect(o.x >= 0 && o.y >= 0 && o.x + o.w <= 64 && o.y + o.h <= 64).toBe(true);
        for (const p of s.objects) if (p !== o) expect(relationsBetween(o, p).length).toBeGreaterThan(0);
      }
    }
    expect([...seen.count].sort()).toEqual([1, 2, 3, 4]);
    expect(seen.cat.size).toBe(20);
    expect(seen.colour.size).toBe(10);
    expect(seen.size.size).toBe(2);
    expect(seen.texture.size).toBe(6);
    expect(seen.rotated).toBeGreaterThan(500);
  });

  it('captions agree with their scenes: every claim read back from 6,000 captions holds in the ground truth', () => {
    let claims = 0;
    const kinds = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const scene = train.scene(4, i);
      for (const [detail, k] of [
        ['varied', 0],
        ['varied', 1],
        ['full', 0],
      ] as const) {
        const caption = train.caption(scene, detail, k);
        const read = readCaption(caption);
        expect(read.length, caption).toBeGreaterThan(0);
        for (const c of read) {
          const why = checkClaim(scene, c);
          if (why) throw new Error(`"${caption}" is false about scene ${i}: ${why}\n${JSON.stringify(scene.objects)}`);
          kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
          claims++;
        }
      }
    }
    expect(claims).toBeGreaterThan(15000);
    // Every kind of statement is exercised, so the check covers the whole grammar.
    for (const k of ['object', 'relation', 'place', 'count', 'background']) expect(kinds.get(k) ?? 0, k).toBeGreaterThan(200);
  });

  it('the reader catches a false caption (the check can fail)', () => {
    const scene = train.scene(4, 0);
    const o = scene.objects[0]!;
    const wrongColour = OBJECT_COLOURS[(o.colour + 1) % 10]!.name;
    const claims = readCaption(
      `a ${wrongColour} ${['t-shirt', 'sneaker'][o.category === 0 ? 1 : 0]} and ${scene.objects.length === 4 ? 'one object' : 'four objects'}`,
    );
    expect(claims.map((c) => checkClaim(scene, c)).filter(Boolean).length).toBeGreaterThanOrEqual(1);
    const moved: Scene = { ...scene, objects: scene.objects.map((x) => ({ ...x, colour: (x.colour + 1) % 10 })) };
    const full = train.caption(scene, 'full');
    expect(readCaption(full).some((c) => checkClaim(moved, c) !== null)).toBe(true);
  });

  it('rendered pixels agree with the scene: each object shows its exact colour inside its box, the background outside', () => {
    for (let i = 0; i < 300; i++) {
      const scene = train.scene(5, i);
      const img = train.render(scene);
      const inBox = (x: number, y: number) => scene.objects.some((o) => x >= o.x && x < o.x + o.w && y >= o.y && y < o.y + o.h);
      for (const o of scene.objects) {
        const [r, g, b] = OBJECT_COLOURS[o.colour]!.rgb;
        let exact = 0;
        for (let y = o.y; y < o.y + o.h; y++)
          for (let x = o.x; x < o.x + o.w; x++) {
            const p = 3 * (y * 64 + x);
            if (img[p] === r && img[p + 1] === g && img[p + 2] === b) exact++;
          }
        expect(exact, `object ${JSON.stringify(o)} of scene ${i}`).toBeGreaterThan(3);
      }
      const base = BACKGROUND_COLOURS[scene.background.colour]!.rgb;
      const shade = backgroundShade(scene.background.colour);
      let outside = 0;
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          if (inBox(x, y)) continue;
          const p = 3 * (y * 64 + x);
          for (let c = 0; c < 3; c++) if (img[p + c]! < Math.min(base[c]!, shade[c]!) || img[p + c]! > Math.max(base[c]!, shade[c]!)) outside++;
          if (scene.background.texture === 'plain' && (img[p] !== base[0] || img[p + 1] !== base[1] || img[p + 2] !== base[2])) outside++;
        }
      expect(outside, `scene ${i}: pixels outside every box that are not background`).toBe(0);
    }
  });

  it('captions have more than 300 distinct words, multi-token names, and leave things out', () => {
    const vocab = new Set<string>();
    let withoutColour = 0;
    const captions = Array.from({ length: 20000 }, (_, i) => train.caption(train.scene(6, i)));
    for (const c of captions) {
      for (const w of c.toLowerCase().split(/[\s,.;:]+/)) if (w) vocab.add(w);
      if (!OBJECT_COLOURS.some((k) => [k.name, ...k.synonyms].some((w) => c.includes(` ${w} `)))) withoutColour++;
    }
    expect(vocab.size).toBeGreaterThanOrEqual(300);
    const all = captions.join('\n');
    for (const phrase of ['an ankle boot', 'the digit seven', 'a 7', 'pair of trousers']) expect(all).toContain(phrase);
    expect(withoutColour).toBeGreaterThan(1000);
    expect(new Set(captions).size).toBeGreaterThan(19000);
  });

  it('keeps the splits apart: no test-split object bytes in any training stream (by hash)', () => {
    const testHashes = new Set<string>();
    for (const name of SCENE_SOURCES) {
      const ds = loadDataset(name, 'test');
      for (let i = 0; i < ds.size; i++) testHashes.add(sha256(ds.images.subarray(i * 784, (i + 1) * 784)));
    }
    for (let id = 0; id < train.bank.size; id++) expect(testHashes.has(sha256(objectBitmap(train.bank, id)))).toBe(false);
    // The corpora's streams and an arbitrary one: every object drawn comes from the train bank.
    for (const seed of [PRETRAINING_CORPUS.seed, ADAPTER_CORPUS.seed, 12345]) {
      for (let i = 0; i < 1000; i++)
        for (const o of train.scene(seed, i).objects) expect(testHashes.has(sha256(objectBitmap(train.bank, o.objectId)))).toBe(false);
    }
    // And the held-out world draws only test objects.
    for (let i = 0; i < 200; i++) for (const o of test.scene(3, i).objects) expect(testHashes.has(sha256(objectBitmap(test.bank, o.objectId)))).toBe(true);
    expect(test.bank.split).toBe('test');
  });
});
