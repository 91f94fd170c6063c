import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, describe, expect, it } from 'vitest';
import { fitMap, identityMap, LanceGallery, MemoryGallery, SpaceMismatchError, StampError, type Gallery, type Matrix } from '../src/index';
import { addNoise, bruteForceCosine, randomMatrix, randomRotation, space, times } from './fixtures';
import { recallAtK as recallOfRelevant } from '@hotplug/bench';

// Recall@k of one result list against another's top k (the evaluation lives in @hotplug/bench).
const recallAtK = (approx: { id: string }[][], reference: { id: string }[][], k: number): number =>
  recallOfRelevant(
    approx.map((hits) => hits.map((h) => h.id)),
    reference.map((hits) => new Set(hits.slice(0, k).map((h) => h.id))),
    k,
  );

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hotplug-lance-'));
  dirs.push(d);
  return d;
}
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

const oldSpace = space('old-fp', 16, false);
const ids = (n: number, prefix = 'item') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const rowOf = (m: Matrix, r: number) => m.data.subarray(r * m.dim, (r + 1) * m.dim);

describe('LanceGallery', () => {
  it('stamps the space in the schema, reads it back on open, refuses other spaces and unstamped tables', async () => {
    const dir = tempDir();
    const g = await LanceGallery.create(dir, oldSpace, { items: { ids: ids(20), vectors: randomMatrix(20, 16, 1) } });
    await g.close();
    expect(await LanceGallery.readSpace(dir)).toEqual(oldSpace);
    const back = await LanceGallery.open(dir, { expect: oldSpace });
    expect(back.space).toEqual(oldSpace);
    expect(await back.size()).toBe(20);
    await back.close();
    await expect(LanceGallery.open(dir, { expect: space('new-fp', 16) })).rejects.toThrow(SpaceMismatchError);
    await expect(LanceGallery.create(dir, oldSpace)).rejects.toThrow(/already has a table/);
    await expect(LanceGallery.open(dir, { table: 'missing' })).rejects.toThrow(/has no table "missing"/);
    // A table written by plain LanceDB carries no stamp: nothing says which model wrote it.
    const db = await lancedb.connect(dir);
    await db.createTable('plain', [{ id: 'a', vector: [1, 2, 3] }]);
    db.close();
    await expect(LanceGallery.open(dir, { table: 'plain' })).rejects.toThrow(StampError);
  });

  it('flat search matches brute-force cosine, for raw and normalised spaces', async () => {
    for (const normalized of [false, true]) {
      const s = space('m', 16, normalized);
      const vectors = randomMatrix(300, 16, 2);
      const g = await LanceGallery.create(tempDir(), s, { items: { ids: ids(300), vectors, metadata: ids(300).map((id, i) => ({ label: i % 7, id })) } });
      const queries = randomMatrix(10, 16, 3);
      const hits = await g.search(queries, 5, { space: s });
      for (let q = 0; q < 10; q++) {
        const want = bruteForceCosine(vectors, ids(300), rowOf(queries, q), 5);
        expect(hits[q]!.map((h) => h.id)).toEqual(want.map((h) => h.id));
        hits[q]!.forEach((h, i) => {
          expect(h.score).toBeCloseTo(want[i]!.score, 5);
        });
        expect(hits[q]![0]!.metadata).toEqual({ label: Number(hits[q]![0]!.id.split('-')[1]) % 7, id: hits[q]![0]!.id });
      }
      await g.close();
    }
  });

  it('memory and LanceDB galleries give identical flat results', async () => {
    const s = space('m', 16, true);
    const vectors = randomMatrix(500, 16, 4);
    const items = { ids: ids(500), vectors };
    const galleries: Gallery[] = [await MemoryGallery.from(s, items), await LanceGallery.create(tempDir(), s, { items })];
    const queries = randomMatrix(20, 16, 5);
    const [mem, lance] = await Promise.all(galleries.map((g) => g.search(queries, 10, { space: s })));
    for (let q = 0; q < 20; q++) {
      expect(lance![q]!.map((h) => h.id)).toEqual(mem![q]!.map((h) => h.id));
      lance![q]!.forEach((h, i) => {
        expect(h.score).toBeCloseTo(mem![q]![i]!.score, 5);
      });
    }
    for (const g of galleries) {
      expect((await g.ids()).sort()).toEqual(ids(500).sort());
      await g.close();
    }
  });

  it('upserts are idempotent by id, delete removes, scan returns every item with its source space', async () => {
    for (const g of [new MemoryGallery(oldSpace), await LanceGallery.create(tempDir(), oldSpace)]) {
      const v = randomMatrix(50, 16, 6);
      expect(await g.upsert({ ids: ids(50), vectors: v })).toMatchObject({ inserted: 50, updated: 0 });
      expect(await g.upsert({ ids: ids(50).slice(0, 30), vectors: { data: v.data.slice(0, 30 * 16), rows: 30, dim: 16 } })).toMatchObject({
        inserted: 0,
        updated: 30,
      });
      expect(await g.size()).toBe(50);
      expect(await g.delete(['item-0', 'item-1', 'nope'])).toBe(2);
      const seen: string[] = [];
      for await (const batch of g.scan({ batchSize: 7 })) {
        expect(batch.length).toBeLessThanOrEqual(7);
        for (const item of batch) {
          seen.push(item.id);
          expect(item.source).toBe('old-fp|16|raw');
          expect(Array.from(item.vector!)).toEqual(Array.from(rowOf(v, Number(item.id.split('-')[1]))));
        }
      }
      expect(seen.sort()).toEqual(ids(50).slice(2).sort());
      await expect(
        g.upsert([
          { id: 'a', vector: new Float32Array(16) },
          { id: 'a', vector: new Float32Array(16) },
        ]),
      ).rejects.toThrow(/appears twice/);
      await expect(g.upsert([{ id: 'b', vector: new Float32Array(8) }])).rejects.toThrow(/8-dim/);
      await expect(g.upsert([{ id: 'c', vector: [NaN, ...new Array(15).fill(0)] }])).rejects.toThrow(/non-finite/);
      await g.close();
    }
  });

  it('refuses a raw new-model query with SpaceMismatchError and answers it through a map into the table space', async () => {
    const d = 16;
    const newSpace = space('new-fp', d, true);
    const oldN = space('old-fp', d, true);
    const newVectors = randomMatrix(400, d, 7);
    const rot = randomRotation(d, 8);
    const oldVectors = addNoise(times(newVectors, rot, d), 0.01, 9);
    const g = await LanceGallery.create(tempDir(), oldN, { items: { ids: ids(400), vectors: oldVectors } });
    const queries = { data: newVectors.data.slice(0, 10 * d), rows: 10, dim: d };
    const err = await g.search(queries, 5, { space: newSpace }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpaceMismatchError);
    expect((err as Error).message).toMatch(/new-fp.*via/s);
    await expect(g.search(queries, 5, { space: oldN, via: identityMap(newSpace, oldN) })).rejects.toThrow(/starts from another space/);
    const map = await fitMap('procrustes', { source: newVectors, target: oldVectors, from: newSpace, to: oldN });
    const hits = await g.search(queries, 1, { space: newSpace, via: map });
    expect(hits.map((h) => h[0]!.id)).toEqual(ids(10));
    // A map into another table's space is refused as well.
    const wrong = await fitMap('procrustes', { source: newVectors, target: oldVectors, from: newSpace, to: space('other', d, true) });
    await expect(g.search(queries, 1, { space: newSpace, via: wrong })).rejects.toThrow(SpaceMismatchError);
    // Items ingested through the map are stamped with the space they came from.
    await g.upsert({ ids: ['fresh'], vectors: { data: newVectors.data.slice(0, d), rows: 1, dim: d } }, { space: newSpace, via: map });
    const sources = new Map<string, string>();
    for await (const b of g.scan({ withVectors: false })) for (const it of b) sources.set(it.id, it.source);
    expect(sources.get('fresh')).toBe('new-fp|16|l2');
    expect(sources.get('item-0')).toBe('old-fp|16|l2');
    await g.close();
  });

  it('IVF-PQ search keeps most of flat search recall on clustered data', async () => {
    const d = 32;
    const n = 4000;
    const centres = randomMatrix(40, d, 10);
    const noise = randomMatrix(n, d, 11);
    const data = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) data[r * d + j] = centres.data[(r % 40) * d + j]! + 0.3 * noise.data[r * d + j]!;
    const s = space('m', d, true);
    const g = await LanceGallery.create(tempDir(), s, { items: { ids: ids(n), vectors: { data, rows: n, dim: d } } });
    const queries = { data: data.slice(0, 50 * d).map((v, i) => v + 0.05 * noise.data[(i * 7) % noise.data.length]!), rows: 50, dim: d };
    const flat = await g.search(queries, 10, { space: s });
    await expect(g.createIndex({ kind: 'ivf-pq', subVectors: 5 })).rejects.toThrow(/must divide/);
    await g.createIndex({ kind: 'ivf-pq', partitions: 16, subVectors: 8 });
    expect((await g.indices()).map((i) => i.columns)).toEqual([['vector']]);
    const approx = await g.search(queries, 10, { space: s, nprobes: 8, refineFactor: 5 });
    const exact = await g.search(queries, 10, { space: s, exact: true });
    expect(recallAtK(exact, flat, 10)).toBe(1);
    const recall = recallAtK(approx, flat, 10);
    console.log(`IVF-PQ (16 partitions, 8 sub-vectors, nprobes 8, refine 5) recall@10 against flat search: ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThan(0.8);
    expect(recall).toBeLessThanOrEqual(1);
    expect(await LanceGallery.readSpace(g.path)).toEqual(s);
    await g.close();
  }, 60_000);
});
