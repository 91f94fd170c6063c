import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SpecError, type Split } from '@hotplug/bench';
import { indexCaptionFile, indexImageFolder, indexLabels, stratifiedSplit, subsetIndex, type ImageIndex } from '@hotplug/data';
import { z } from 'zod';

/** How a single-folder or caption-file dataset is cut into train and test: seeded, stratified by class. */
export const DEFAULT_USER_SPLIT = { testFraction: 0.3, seed: 0 } as const;

const SplitSchema = z.strictObject({
  testFraction: z.number().gt(0).lt(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});

const path = z.string().min(1).max(4096);

/**
 * A dataset of the user's, named in `data.userDatasets` of a spec:
 * - `image-folder`: `path/CLASS/*.png|jpg` (one sub-folder per class), or `path/train/CLASS/…`
 *   and `path/test/CLASS/…` (then those two are the splits, and `split` is refused);
 * - `captions`: a CSV / JSONL caption file with a label column (its captions are not used here).
 * Without train/test folders the test split is a seeded stratified sample (`split`, default 30 %, seed 0).
 */
export const UserDatasetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('image-folder'), path, split: SplitSchema.optional() }),
  z.strictObject({ kind: z.literal('captions'), path, split: SplitSchema.optional() }),
]);
export type UserDatasetSpec = z.infer<typeof UserDatasetSchema>;

export const UserDatasetsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a dataset name: letters, digits, . _ - (up to 100)'),
  UserDatasetSchema,
);

/** The spec's user datasets with their paths made absolute against the spec file's folder. */
export function resolveUserDatasets(datasets: Record<string, UserDatasetSpec>, baseDir: string): Record<string, UserDatasetSpec> {
  return Object.fromEntries(Object.entries(datasets).map(([name, d]) => [name, { ...d, path: isAbsolute(d.path) ? d.path : resolve(baseDir, d.path) }]));
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * The entries of one split of a user dataset, before any pixel is decoded. The readers of
 * @hotplug/data list them and keep every path inside the dataset's folder (or the caption
 * file's), with their named errors for a bad folder or file.
 */
export function userDatasetIndex(name: string, spec: UserDatasetSpec, split: Split): ImageIndex {
  const where = `data.userDatasets.${name}`;
  let index: ImageIndex;
  if (spec.kind === 'image-folder' && isDir(join(spec.path, 'train')) && isDir(join(spec.path, 'test'))) {
    if (spec.split)
      throw new SpecError(`${where}: ${spec.path} has train/ and test/ folders, which are the splits; leave "split" out`, 'spec', `${where}.split`);
    const [train, test] = (['train', 'test'] as const).map((s) => indexImageFolder(join(spec.path, s), { name, split: s }));
    if (JSON.stringify(train!.classNames) !== JSON.stringify(test!.classNames))
      throw new SpecError(
        `${where}: train/ has the classes ${train!.classNames.join(', ')} but test/ has ${test!.classNames.join(', ')}; give both the same class folders`,
        'spec',
        where,
      );
    index = split === 'train' ? train! : test!;
  } else {
    const all = spec.kind === 'image-folder' ? indexImageFolder(spec.path, { name }) : indexCaptionFile(spec.path, { name });
    const cut = stratifiedSplit(indexLabels(all), spec.split ?? DEFAULT_USER_SPLIT);
    index = { ...subsetIndex(all, cut[split]), split };
  }
  if (index.classNames.length < 2)
    throw new SpecError(
      `${where}: ${spec.path} has ${index.classNames.length === 1 ? `one class ("${index.classNames[0]}")` : 'no classes'}; the benchmark's heads need two or more${spec.kind === 'captions' ? ' (give the caption file a label column)' : ''}`,
      'spec',
      where,
    );
  if (index.entries.length === 0)
    throw new SpecError(`${where}: the ${split} split of ${spec.path} has no images; add images or lower split.testFraction`, 'spec', where);
  return index;
}

/**
 * A string that changes when a user dataset's definition or files change: the listing of both
 * splits with each file's size and modification time (cheap: nothing is decoded).
 */
export function userDatasetsVersion(datasets: Record<string, UserDatasetSpec>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(datasets).sort()) {
    const spec = datasets[name]!;
    h.update(JSON.stringify([name, spec]));
    for (const split of ['train', 'test'] as const)
      for (const e of userDatasetIndex(name, spec, split).entries) {
        const s = statSync(e.path);
        h.update(`${split}\0${e.path}\0${e.label}\0${s.size}\0${s.mtimeMs}\n`);
      }
  }
  return h.digest('hex').slice(0, 16);
}
