import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBar, Rng, formatDuration, openAtomic, sha256, writeFileAtomic, writeJsonAtomic } from '../src/index';

describe('atomic writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-runtime-'));

  it('writes whole files and leaves no temporary file behind', () => {
    const path = join(dir, 'sub', 'a.json');
    writeJsonAtomic(path, { a: 1 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 1 });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('keeps the previous content when a write fails half-way', () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, 'old');
    const w = openAtomic(path);
    w.write('new half');
    w.abort();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(() => writeFileAtomic(path, [new Uint8Array([1]), null as unknown as Uint8Array])).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes chunk lists in order', () => {
    const path = join(dir, 'c.bin');
    writeFileAtomic(path, [new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(existsSync(path)).toBe(true);
  });
});

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42),
      b = new Rng(42),
      c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    expect(new Rng('old').next()).toBe(new Rng('old').next());
  });

  it('draws uniform and normal values with the right moments', () => {
    const r = new Rng(7);
    const n = 20000;
    let su = 0,
      sn = 0,
      sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += r.next();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('shuffles into a permutation, every index once', () => {
    const p = new Rng(1).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => new Rng(1).int(0)).toThrow(/positive integer/);
  });
});

describe('ProgressBar', () => {
  it('reports rate and ETA from a clock (hand-worked: 25 of 100 in 5 s -> 5/s, 15 s left)', () => {
    let t = 0;
    const out: string[] = [];
    const stream = {
      isTTY: false,
      write: (s: string) => {
        out.push(s);
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    const bar = new ProgressBar({ total: 100, label: 'train', unit: 'step', stream, now: () => t, logIntervalMs: 1000 });
    t = 5000;
    bar.tick(25, { loss: 0.5 });
    expect(out.at(-1)).toContain('25/100');
    expect(out.at(-1)).toContain('5.000 step/s');
    expect(out.at(-1)).toContain('ETA 0:15');
    expect(out.at(-1)).toContain('loss=0.500');
    bar.tick(1); // within the log interval: no new line
    expect(out.length).toBe(1);
    bar.finish();
    expect(out.length).toBe(2);
  });

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('--:--');
  });
});

describe('sha256', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
