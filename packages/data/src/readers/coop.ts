import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataListingError } from '../errors';
import type { ImageIndex, ImageIndexEntry } from './image-index';
import { DEFAULT_MAX_CLASSES, readListing } from './captions';
import { confinePath } from './confine';
import { indexImageFolder } from './folder';

/** Limits and confinement for CoOp listings. */
export interface CoopReadOptions {
  /** Further folders image paths may resolve into; by default each path must stay inside its dataset's image folder. */
  allowedRoots?: readonly string[];
  /** Most classes a split file may declare (default 100,000). */
  maxClasses?: number;
}

// split_zhou_*.json: {split: [[relative path, label, class name], ...]}
const SplitFileSchema = z.record(z.string(), z.array(z.tuple([z.string().min(1), z.number().int().nonnegative(), z.string()])));

/** How one of CoOp's standard datasets lies under the data root (CoOp's DATASETS.md layout). */
export type CoopLayout =
  /** A `split_zhou_*.json` file: {train|val|test: [[relative path, label, class name], ...]}. */
  | { kind: 'split-json'; folder: string; imageDir: string; splitFile: string }
  /** FGVC-Aircraft: images_variant_{split}.txt lines "ID VARIANT", variants.txt for the class order. */
  | { kind: 'fgvc'; folder: string }
  /** ImageNet and its variants: class sub-folders (wnids, or 0..999) and classnames.txt ("wnid name" lines). */
  | { kind: 'wnid-folders'; folder: string; splitDirs: Readonly<Record<string, string>>; classnames: string; numericFolders?: boolean };

/** The 11 few-shot datasets of CoOp plus the ImageNet variants, by CoOp's names. */
export const COOP_DATASETS: Readonly<Record<string, CoopLayout>> = {
  imagenet: { kind: 'wnid-folders', folder: 'imagenet', splitDirs: { train: 'images/train', test: 'images/val' }, classnames: 'classnames.txt' },
  caltech101: { kind: 'split-json', folder: 'caltech-101', imageDir: '101_ObjectCategories', splitFile: 'split_zhou_Caltech101.json' },
  oxford_pets: { kind: 'split-json', folder: 'oxford_pets', imageDir: 'images', splitFile: 'split_zhou_OxfordPets.json' },
  stanford_cars: { kind: 'split-json', folder: 'stanford_cars', imageDir: '', splitFile: 'split_zhou_StanfordCars.json' },
  oxford_flowers: { kind: 'split-json', folder: 'oxford_flowers', imageDir: 'jpg', splitFile: 'split_zhou_OxfordFlowers.json' },
  food101: { kind: 'split-json', folder: 'food-101', imageDir: 'images', splitFile: 'split_zhou_Food101.json' },
  fgvc_aircraft: { kind: 'fgvc', folder: 'fgvc_aircraft' },
  sun397: { kind: 'split-json', folder: 'sun397', imageDir: 'SUN397', splitFile: 'split_zhou_SUN397.json' },
  dtd: { kind: 'split-json', folder: 'dtd', imageDir: 'images', splitFile: 'split_zhou_DescribableTextures.json' },
  eurosat: { kind: 'split-json', folder: 'eurosat', imageDir: '2750', splitFile: 'split_zhou_EuroSAT.json' },
  ucf101: { kind: 'split-json', folder: 'ucf101', imageDir: 'UCF-101-midframes', splitFile: 'split_zhou_UCF101.json' },
  imagenetv2: {
    kind: 'wnid-folders',
    folder: 'imagenetv2',
    splitDirs: { test: 'imagenetv2-matched-frequency-format-val' },
    classnames: 'classnames.txt',
    numericFolders: true,
  },
  imagenet_sketch: { kind: 'wnid-folders', folder: 'imagenet-sketch', splitDirs: { test: 'images' }, classnames: 'classnames.txt' },
  imagenet_a: { kind: 'wnid-folders', folder: 'imagenet-adversarial', splitDirs: { test: 'imagenet-a' }, classnames: 'classnames.txt' },
  imagenet_r: { kind: 'wnid-folders', folder: 'imagenet-rendition', splitDirs: { test: 'imagenet-r' }, classnames: 'classnames.txt' },
};

/** Indexes one split of a CoOp `split_zhou_*.json` file; image paths are relative to `imageDir`. */
export function indexCoopSplitFile(splitFile: string, imageDir: string, split: string, name = 'coop', options: CoopReadOptions = {}): ImageIndex {
  const fail = (problem: string, field?: string): never => {
    throw new DataListingError({ file: splitFile, problem, ...(field ? { field } : {}), fix: "Use CoOp's split_zhou_*.json as published" });
  };
  let json: unknown;
  try {
    json = JSON.parse(readListing(splitFile, 'CoOp split file'));
  } catch (err) {
    if (err instanceof DataListingError) throw err;
    fail(`not valid JSON (${(err as Error).message})`);
  }
  const checked = SplitFileSchema.safeParse(json);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const [key, i] = issue.path;
    const item = i !== undefined ? (json as Record<string, unknown[]>)[key as string]?.[i as number] : undefined;
    if (key === undefined) fail('must be an object of splits', '(top level)');
    if (i === undefined) fail(`'${String(key)}' must be a list of [path, label, class name]`, String(key));
    fail(
      `${String(key)}[${String(i)}] must be [relative path, integer label, class name], got ${JSON.stringify(item)?.slice(0, 200)}`,
      `${String(key)}[${String(i)}]`,
    );
  }
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  const dirs = new Map<string, boolean>();
  const names = new Map<number, string>();
  const parsed: Record<string, ImageIndexEntry[]> = {};
  for (const [key, items] of Object.entries(checked.data!)) {
    parsed[key] = items.map(([rel, label, cls], i) => {
      const field = `${key}[${i}]`;
      if (label >= maxClasses) fail(`label ${label} is above maxClasses ${maxClasses}`, field);
      const known = names.get(label);
      if (known !== undefined && known !== cls) fail(`label ${label} is called both '${known}' and '${cls}'`, field);
      names.set(label, cls);
      return { path: confinePath(rel, imageDir, { file: splitFile, field, allowedRoots: options.allowedRoots, dirs }), label };
    });
  }
  const entries = parsed[split];
  if (!entries) fail(`has no split '${split}'; it has: ${Object.keys(parsed).join(', ')}`);
  let k = 0;
  for (const label of names.keys()) k = Math.max(k, label + 1);
  const classNames = Array.from({ length: k }, (_, i) => {
    const n = names.get(i);
    if (n === undefined) fail(`no image has label ${i}, so its class name is unknown`);
    return n!;
  });
  return { name, split, classNames, entries: entries! };
}

/** Parses classnames.txt ("wnid class name" per line) into an ordered map. */
export function readClassnamesTxt(path: string): Map<string, string> {
  if (!existsSync(path))
    throw new DataListingError({ file: path, problem: `${path} not found; CoOp's ImageNet layouts need classnames.txt ("n01440764 tench" per line)` });
  const out = new Map<string, string>();
  readListing(path, 'classnames file')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const t = line.trim();
      if (!t) return;
      const space = t.indexOf(' ');
      if (space < 0) throw new DataListingError({ file: path, field: `line ${i + 1}`, problem: 'expected "FOLDER class name"' });
      const folder = t.slice(0, space);
      // A folder name, not a path: it is joined to the split folder.
      if (folder === '.' || folder === '..' || /[\\/\0]/.test(folder))
        throw new DataListingError({
          file: path,
          field: `line ${i + 1}`,
          problem: `folder ${JSON.stringify(folder)} is not a plain folder name`,
          expected: 'a name without / or ..',
        });
      out.set(folder, t.slice(space + 1).trim());
    });
  return out;
}

function fgvcIndex(dir: string, split: string, options: CoopReadOptions): ImageIndex {
  const variantsPath = join(dir, 'variants.txt');
  const listPath = join(dir, `images_variant_${split}.txt`);
  for (const p of [variantsPath, listPath])
    if (!existsSync(p))
      throw new DataListingError({ file: p, problem: `${p} not found (FGVC-Aircraft layout: images/, variants.txt, images_variant_{train,val,test}.txt)` });
  const classNames = readListing(variantsPath, 'FGVC variants file')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  if (classNames.length > maxClasses)
    throw new DataListingError({ file: variantsPath, problem: `${classNames.length} variants, above maxClasses ${maxClasses}` });
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  const images = join(dir, 'images');
  const dirs = new Map<string, boolean>();
  const entries = readListing(listPath, 'FGVC list file')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line, i) => {
      const t = line.trim();
      const space = t.indexOf(' ');
      const label = space < 0 ? undefined : labelOf.get(t.slice(space + 1).trim());
      if (label === undefined)
        throw new DataListingError({
          file: listPath,
          field: `line ${i + 1}`,
          problem: `'${t.slice(0, 200)}' is not "IMAGE_ID VARIANT" with a variant from variants.txt`,
        });
      return {
        path: confinePath(`${t.slice(0, space)}.jpg`, images, { file: listPath, field: `line ${i + 1}`, allowedRoots: options.allowedRoots, dirs }),
        label,
      };
    });
  return { name: 'fgvc_aircraft', split, classNames, entries };
}

/**
 * Indexes one split of a CoOp dataset under `dataRoot` laid out as CoOp's DATASETS.md
 * describes. Splits: train, val, test (ImageNet: train, test; variants: test).
 */
export function indexCoopDataset(dataRoot: string, name: string, split: string, options: CoopReadOptions = {}): ImageIndex {
  const layout = COOP_DATASETS[name];
  if (!layout) throw new Error(`unknown CoOp dataset '${name}'; known: ${Object.keys(COOP_DATASETS).join(', ')}`);
  const dir = join(dataRoot, layout.folder);
  if (!existsSync(dir)) throw new DataListingError({ file: dir, problem: `${name}: ${dir} not found; put the dataset there as CoOp's DATASETS.md describes` });
  if (layout.kind === 'split-json') return indexCoopSplitFile(join(dir, layout.splitFile), join(dir, layout.imageDir), split, name, options);
  if (layout.kind === 'fgvc') return fgvcIndex(dir, split, options);
  const sub = layout.splitDirs[split];
  if (!sub) throw new Error(`${name} has no split '${split}'; splits: ${Object.keys(layout.splitDirs).join(', ')}`);
  const names = readClassnamesTxt(join(dir, layout.classnames));
  const wnids = [...names.keys()];
  const root = join(dir, sub);
  // ImageNet-V2 names its folders 0..999 in classnames order; A and R hold only a subset of the wnids.
  const present = layout.numericFolders
    ? wnids.map((_, i) => String(i)).filter((f) => existsSync(join(root, f)))
    : wnids.filter((w) => existsSync(join(root, w)));
  const displayNames = Object.fromEntries(layout.numericFolders ? wnids.map((w, i) => [String(i), names.get(w)!]) : [...names]);
  return indexImageFolder(root, { name, split, classFolders: present, displayNames, ...(options.allowedRoots ? { allowedRoots: options.allowedRoots } : {}) });
}
