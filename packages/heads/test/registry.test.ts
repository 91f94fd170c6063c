import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHead, headKinds, KnnHead, loadHead, registerHead } from '../src/index';

describe('head registry', () => {
  it('lists the built-in families and makes each', () => {
    expect(headKinds()).toEqual(expect.arrayContaining(['linear', 'mlp', 'knn']));
    expect(createHead('linear').kind).toBe('linear');
    expect(createHead('mlp', { hidden: [4] }).kind).toBe('mlp');
    expect(createHead('knn').kind).toBe('knn');
  });

  it('names the known kinds when given an unknown one', () => {
    expect(() => createHead('svm')).toThrow(/unknown head kind "svm": registered kinds are linear, mlp, knn/);
    expect(() => createHead('linear', { hidden: [3] } as never)).toThrow(/linear head has no hidden layers/);
  });

  it('accepts new families and refuses duplicates', () => {
    registerHead<{ k?: number }>('one-nn', { create: () => new KnnHead({ k: 1 }), load: (d) => KnnHead.load(d) });
    expect(createHead('one-nn').options).toMatchObject({ k: 1 });
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
