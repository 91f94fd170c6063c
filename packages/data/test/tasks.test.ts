import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_PLACEMENT,
  OBJECT_COLOURS,
  getTask,
  listTasks,
  loadDataset,
  loadTask,
  oneVsRest,
  registerTask,
  type ClassificationData,
  type ImageRetrievalData,
  type MultiLabelData,
  type TextRetrievalData,
} from '../src/index';
import { checkClaim, readCaption } from './caption-reader';

const SMALL = { size: 200 };

describe('downstream task registry', () => {
  it('lists the built-in tasks, refuses a duplicate name and names the known ones for an unknown name', () => {
    expect(listTasks()).toEqual([
      'fashion-mnist',
      'mnist',
      'scene-count',
      'scene-colour',
      'scene-relation',
      'scene-presence',
      'scene-image-retrieval',
      'scene-text-retrieval',
    ]);
    for (const n of listTasks()) expect(getTask(n).split).toBe('test');
    expect(() => registerTask(getTask('mnist'))).toThrow(/already registered/);
    expect(() => getTask('nope')).toThrow(/unknown task 'nope'; known: fashion-mnist, mnist/);
  });

  it('renders the whole MNIST test split onto canvases as documented: centred, white on black, labels unchanged', () => {
    const data = loadTask('mnist') as ClassificationData;
    const test = loadDataset('mnist', 'test');
    expect(data.size).toBe(test.size);
    expect([...data.labels]).toEqual([...test.labels]);
    expect([data.height, data.width, data.channels]).toEqual([64, 64, 3]);
    const side = CLASSIFICATION_PLACEMENT.side;
    const margin = (64 - side) / 2;
    for (let i = 0; i < 50; i++) {
      const img = data.images.subarray(i * 64 * 64 * 3, (i + 1) * 64 * 64 * 3);
      let outside = 0,
        white = 0;
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          const p = 3 * (y * 64 + x);
          const lit = img[p]! > 40;
          if (lit && (x < margin - 1 || x > 64 - margin || y < margin - 1 || y > 64 - margin)) outside++;
          if (img[p] === 250 && img[p + 1] === 250 && img[p + 2] === 250) white++;
        }
      expect(outside).toBe(0);
      expect(white).toBeGreaterThan(20);
    }
    const small = loadTask('mnist', { format: { size: 28, channels: 1 } }) as ClassificationData;
    expect([small.height, small.width, small.channels, small.images.length]).toEqual([28, 28, 1, test.size * 784]);
    expect(data.prompts.prompts.length).toBe(10);
  });

  it("counting, colour and relation tasks: balanced labels that match each item's ground truth and pixels", () => {
    const count = loadTask('scene-count', SMALL) as ClassificationData;
    expect(count.scenes!.map((s) => s.objects.length - 1)).toEqual([...count.labels]);
    expect([0, 1, 2, 3].map((c) => count.labels.filter((l) => l === c).length)).toEqual([50, 50, 50, 50]);
    const colour = loadTask('scene-colour', SMALL) as ClassificationData;
    colour.scenes!.forEach((s, i) => {
      expect(s.objects.length).toBe(1);
      const [r, g, b] = OBJECT_COLOURS[colour.labels[i]!]!.rgb;
      const img = colour.images.subarray(i * 12288, (i + 1) * 12288);
      let exact = 0;
      for (let p = 0; p < 12288; p += 3) if (img[p] === r && img[p + 1] === g && img[p + 2] === b) exact++;
      expect(exact).toBeGreaterThan(3);
    });
    const rel = loadTask('scene-relation', SMALL) as ClassificationData;
    rel.scenes!.forEach((s, i) => {
      const [a, b] = s.objects;
      expect(a!.category).toBeLessThan(10);
      expect(b!.category).toBeGreaterThanOrEqual(10);
      const truth = [a!.x + a!.w <= b!.x, b!.x + b!.w <= a!.x, a!.y + a!.h <= b!.y, b!.y + b!.h <= a!.y];
      expect(truth.filter(Boolean).length).toBe(1);
      expect(truth.indexOf(true)).toBe(rel.labels[i]);
      expect(rel.itemPrompts![i]![rel.labels[i]!]).toContain(` ${rel.classNames[rel.labels[i]!]} `);
    });
  });

  it('presence is multi-label over the 20 categories, with one-vs-rest views', () => {
    const data = loadTask('scene-presence', SMALL) as MultiLabelData;
    expect(data.targets.length).toBe(200 * 20);
    data.scenes.forEach((s, i) => {
      const present = new Set(s.objects.map((o) => o.category));
      for (let c = 0; c < 20; c++) expect(data.targets[i * 20 + c]).toBe(present.has(c) ? 1 : 0);
    });
    const view = oneVsRest(data, 17);
    expect(view.classNames).toEqual(['no digit seven', 'digit seven']);
    expect([...view.labels]).toEqual(data.scenes.map((s) => (s.objects.some((o) => o.category === 17) ? 1 : 0)));
    expect(() => oneVsRest(data, 20)).toThrow(/outside 0..19/);
  });

  it('retrieval: image queries restage their target scene, text queries are full true captions of it', () => {
    const img = loadTask('scene-image-retrieval', SMALL) as ImageRetrievalData;
    expect([...img.targets]).toEqual(Array.from({ length: 200 }, (_, i) => i));
    img.queryScenes.forEach((q, i) => {
      const g = img.galleryScenes[i]!;
      expect(q.objects.map((o) => [o.category, o.colour, o.size])).toEqual(g.objects.map((o) => [o.category, o.colour, o.size]));
      expect(q.background.texture).not.toBe(g.background.texture);
    });
    const text = loadTask('scene-text-retrieval', SMALL) as TextRetrievalData;
    text.queries.forEach((caption, i) => {
      const claims = readCaption(caption);
      expect(claims.filter((c) => c.kind === 'object').length).toBe(text.galleryScenes[i]!.objects.length);
      for (const c of claims) expect(checkClaim(text.galleryScenes[i]!, c)).toBeNull();
    });
  });
});
