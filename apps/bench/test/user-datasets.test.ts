import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '@hotplug/bench';
import { PathOutsideRootError } from '@hotplug/data';
import { initBackend } from '@hotplug/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
// The tiny random model pair and the PNG folder writer of apps/taca's tests (no shipped model or dataset needed).
import { TINY_CLASSES, writeTinyImageFolder } from '../../../tools/test-support/image-folder';
import { writeTinyPair } from '../../../tools/test-support/tiny-models';
import { runBenchmark } from '../src/run';
import { readBenchSpec } from '../src/spec';
import { Workspace } from '../src/systems';
import { userDatasetIndex } from '../src/user-datasets';

const temp = (label: string) => mkdtempSync(join(tmpdir(), `bench-user-${label}-`));
const luma = ([r, g, b]: readonly number[]) => Math.round(0.299 * r! + 0.587 * g! + 0.114 * b!);

function specFile(dir: string, body: Record<string, unknown>): string {
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(body));
  return file;
}

const experiment = (datasets: string[]) => ({
  name: 'user datasets',
  datasets,
  seeds: [1],
  systems: [
    { id: 'old', model: 'models/old' },
    { id: 'new', model: 'models/new' },
  ],
  heads: [{ id: 'linear', kind: 'linear', options: { epochs: 5 } }],
  learners: [{ id: 'zero-shot', learner: 'zeroshot', shots: [0] }],
  comparisons: [{ old: 'old', new: 'new' }],
});

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = temp('spec');
  writeTinyPair(join(dir, 'models'));
  writeTinyImageFolder(join(dir, 'colours'));
});

describe('spec data.userDatasets', () => {
  it('resolves paths against the spec file and checks the field with the rest of the spec', () => {
    const spec = readBenchSpec(
      specFile(dir, {
        experiment: experiment(['colours', 'listed']),
        data: {
          userDatasets: {
            colours: { kind: 'image-folder', path: 'colours' },
            listed: { kind: 'captions', path: 'colours/captions.csv', split: { testFraction: 0.5, seed: 3 } },
          },
        },
      }),
    );
    expect(spec.data?.userDatasets?.colours?.path).toBe(join(dir, 'colours'));
    expect(spec.data?.userDatasets?.listed?.path).toBe(join(dir, 'colours', 'captions.csv'));
    const refused =
      (data: unknown, datasets = ['colours']) =>
      () =>
        readBenchSpec(specFile(dir, { experiment: experiment(datasets), data }));
    expect(refused({ userDatasets: { colours: { kind: 'folder', path: 'colours' } } })).toThrow(SpecError);
    expect(refused({ userDatasets: { colours: { kind: 'image-folder', path: 'colours', split: { testFraction: 1.5, seed: 0 } } } })).toThrow(/testFraction/);
    expect(refused({ userDatasets: { colours: { kind: 'image-folder', path: 'colours', extra: 1 } } })).toThrow(/extra/);
    expect(refused({ userDatasets: { mnist: { kind: 'image-folder', path: 'colours' } } }, ['mnist'])).toThrow(/"mnist" has the name of a registered dataset/);
    // Prompt learners take the user dataset's class names from the workspace, so the pair is accepted.
    const withCoop = { ...experiment(['colours']), learners: [{ id: 'coop', learner: 'coop', shots: [1], systems: ['old', 'new'] }] };
    expect(
      readBenchSpec(specFile(dir, { experiment: withCoop, data: { userDatasets: { colours: { kind: 'image-folder', path: 'colours' } } } })).experiment
        .learners,
    ).toHaveLength(1);
    expect(refused({}, ['colurs'])).toThrow(/"colurs", which is neither a registered dataset .* nor one of data.userDatasets/);
  });

  it('splits one folder by a seeded stratified sample, and takes train/ and test/ folders as they are', () => {
    const spec = { kind: 'image-folder' as const, path: join(dir, 'colours') };
    const train = userDatasetIndex('colours', spec, 'train');
    const test = userDatasetIndex('colours', spec, 'test');
    // 4 images per class, 30 % to test: round(1.2) = 1 per class.
    expect([train.entries.length, test.entries.length]).toEqual([9, 3]);
    expect(test.entries.map((e) => e.label).sort()).toEqual([0, 1, 2]);
    expect(new Set([...train.entries, ...test.entries].map((e) => e.path)).size).toBe(12);
    expect(userDatasetIndex('colours', spec, 'test').entries).toEqual(test.entries);
    const twoFolders = temp('layout');
    cpSync(join(dir, 'colours'), join(twoFolders, 'train'), { recursive: true });
    cpSync(join(dir, 'colours'), join(twoFolders, 'test'), { recursive: true });
    rmSync(join(twoFolders, 'test', 'red', '0.png'));
    const laid = { kind: 'image-folder' as const, path: twoFolders };
    expect(userDatasetIndex('l', laid, 'train').entries.length).toBe(12);
    expect(userDatasetIndex('l', laid, 'test').entries.length).toBe(11);
    expect(() => userDatasetIndex('l', { ...laid, split: { testFraction: 0.5, seed: 0 } }, 'test')).toThrow(/train\/ and test\/ folders, which are the splits/);
    mkdirSync(join(twoFolders, 'test', 'violet'));
    writeFileSync(join(twoFolders, 'test', 'violet', 'a.png'), readFileSync(join(dir, 'colours', 'red', '1.png')));
    expect(() => userDatasetIndex('l', laid, 'train')).toThrow(/give both the same class folders/);
  });

  it("refuses a caption file without labels and a path leaving the file's folder with the readers' errors", () => {
    const noLabels = join(dir, 'colours', 'no-labels.csv');
    writeFileSync(noLabels, 'path,caption\nred/0.png,a\ngreen/0.png,b\n');
    expect(() => userDatasetIndex('n', { kind: 'captions', path: noLabels }, 'train')).toThrow(
      /one class \("unlabelled"\).*give the caption file a label column/,
    );
    const leaving = join(dir, 'colours', 'escape.csv');
    writeFileSync(leaving, 'path,caption,label\n../models/old/config.json,a,x\nred/0.png,b,y\n');
    expect(() => userDatasetIndex('e', { kind: 'captions', path: leaving }, 'train')).toThrow(PathOutsideRootError);
  });

  it("decodes a split at each model's input size and channels", () => {
    const ws = new Workspace({ new: join(dir, 'models', 'new') }, { userDatasets: { colours: { kind: 'image-folder', path: join(dir, 'colours') } } });
    try {
      const format = ws.inputFormat('new');
      const ds = ws.split('colours', 'test', format);
      expect([ds.size, ds.height, ds.width, ds.channels]).toEqual([3, format.size, format.size, format.channels]);
      // Sorted class folders: blue, green, red; each test image is one of its class's solid fills (shades ±12) with a white corner.
      const per = format.size * format.size * format.channels;
      for (let i = 0; i < ds.size; i++) {
        const fill = Object.values(TINY_CLASSES)[['red', 'green', 'blue'].indexOf(ds.classNames[ds.labels[i]!]!)]!;
        const last = Array.from(ds.images.subarray((i + 1) * per - format.channels, (i + 1) * per));
        const want = format.channels === 1 ? [luma(fill)] : fill;
        for (const [c, v] of last.entries()) expect(Math.abs(v - want[c]!)).toBeLessThanOrEqual(format.channels === 1 ? 14 : 13);
        expect(ds.images[i * per]).toBe(255);
      }
      expect(ws.classPrompts('colours').classNames).toEqual(['blue', 'green', 'red']);
      expect(ws.dataVersion).toMatch(/^user-[0-9a-f]{16}-train/);
    } finally {
      ws.dispose();
    }
  });

  it('runs a spec on a user dataset: the report has its rows', async () => {
    const file = specFile(dir, { experiment: experiment(['colours']), data: { userDatasets: { colours: { kind: 'image-folder', path: 'colours' } } } });
    const out = temp('run');
    const { report, paths } = await runBenchmark(readBenchSpec(file), {
      adaptersRoot: temp('adapters'),
      outDir: join(out, 'out'),
      cacheDir: join(out, 'cache'),
      progress: false,
    });
    const cells = report.cells.filter((c) => c.dataset === 'colours');
    expect(cells.length).toBe(report.cells.length);
    expect(cells.filter((c) => c.task === 'head').length).toBe(4); // linear head: 2 query x 2 reference systems
    expect(cells.some((c) => c.task === 'learner')).toBe(true);
    // Accuracies over the 3 test images: counts out of 3 (a percentage or another denominator is a bug).
    for (const c of cells.filter((c) => c.status === 'ok'))
      for (const v of Object.values(c.metrics)) {
        expect(v).toBeLessThanOrEqual(1);
        expect(Math.abs(v * 3 - Math.round(v * 3))).toBeLessThan(1e-9);
      }
    // Solid colour fills: a linear head on each model's own features beats chance (1/3; measured 2/3 on old and on new).
    for (const m of ['old', 'new'])
      expect(cells.find((c) => c.method === 'linear' && c.reference === m && c.query === m)!.metrics.accuracy!).toBeGreaterThan(1 / 3 + 0.01);
    expect(readFileSync(paths.markdown, 'utf8')).toContain('colours');
  }, 60_000);
});
