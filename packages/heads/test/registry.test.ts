import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHead, HeadOptionsError, headKinds, KnnHead, listHeads, loadHead, registerHead } from '../src/index';

describe('head registry', () => {
  it('lists the built-in families and makes each', () => {
    expect(headKinds()).toEqual(expect.arrayContaining(['linear', 'mlp', 'knn']));
    expect(createHead('linear').kind).toBe('linear');
    expect(createHead('mlp', { hidden: [4] }).kind).toBe('mlp');
    expect(createHead('knn').kind).toBe('knn');
  });

  it('names the known kinds when given an unknown one', () => {
    expect(() => createHead('svm')).toThrow(/unknown head kind "svm": registered kinds are linear, mlp, knn/);
    expect(() => createHead('linear', { hidden: [3] } as never)).toThrow(
      /the linear head has no option "hidden"; its options are: epochs, batchSize, weightDecay, normalize, seed, learningRate/,
    );
    expect(() => createHead('knn', { kk: 3 } as never)).toThrow(HeadOptionsError);
  });

  it('accepts new families and refuses duplicates', () => {
    registerHead<{ k?: number }>('one-nn', { create: () => new KnnHead({ k: 1 }), load: (d) => KnnHead.load(d) });
    expect(createHead('one-nn').options).toMatchObject({ k: 1 });
    // The registry shape of adapters and learners: defaults, a validator, a description.
    registerHead<{ k?: number }>(
      'few-nn',
      { create: (o) => new KnnHead({ k: o.k }), load: (d) => KnnHead.load(d) },
      {
        defaults: { k: 3 },
        validate: (o) => ((o.k as number) <= 9 ? [] : [`k must be at most 9, got ${o.k}`]),
        describe: 'a few neighbours',
      },
    );
    expect(listHeads().find((h) => h.kind === 'few-nn')).toEqual({ kind: 'few-nn', description: 'a few neighbours', defaults: { k: 3 } });
    expect(() => createHead('few-nn', { k: 12 })).toThrow(/invalid options for the few-nn head:\n {2}- k must be at most 9, got 12/);
    expect(createHead('few-nn', { k: 7 }).options).toMatchObject({ k: 7 });
    expect([...(globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('hotplug.heads.families')]!.keys()]).toEqual(headKinds());
    expect(() => registerHead('knn', { create: () => new KnnHead(), load: (d) => KnnHead.load(d) })).toThrow(/already registered/);
  });

  it('explains corrupt or foreign files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heads-reg-'));
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'head.json'), '{ not json');
    expect(() => loadHead(join(dir, 'bad'))).toThrow(/not valid JSON.*corrupt/);
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'head.json'), JSON.stringify({ kind: 'forest' }));
    expect(() => loadHead(join(dir, 'other'))).toThrow(/unknown head kind "forest"/);
  });
});
