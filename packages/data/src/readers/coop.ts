import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageIndex, ImageIndexEntry } from './image-index';
import { indexImageFolder } from './folder';

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
  imagenetv2: { kind: 'wnid-folders', folder: 'imagenetv2', splitDirs: { test: 'imagenetv2-matched-frequency-format-val' }, classnames: 'classnames.txt', numericFolders: true },
  imagenet_sketch: { kind: 'wnid-folders', folder: 'imagenet-sketch', splitDirs: { test: 'images' }, classnames: 'classnames.txt' },
  imagenet_a: { kind: 'wnid-folders', folder: 'imagenet-adversarial', splitDirs: { test: 'imagenet-a' }, classnames: 'classnames.txt' },
  imagenet_r: { kind: 'wnid-folders', folder: 'imagenet-rendition', splitDirs: { test: 'imagenet-r' }, classnames: 'classnames.txt' },
};

/** Indexes one split of a CoOp `split_zhou_*.json` file; image paths are relative to `imageDir`. */
export function indexCoopSplitFile(splitFile: string, imageDir: string, split: string, name = 'coop'): ImageIndex {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(splitFile, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read CoOp split file ${splitFile}: ${(err as Error).message}`);
  }
  const names = new Map<number, string>();
  const parsed: Record<string, ImageIndexEntry[]> = {};
  for (const [key, items] of Object.entries(json)) {
    if (!Array.isArray(items)) throw new Error(`${splitFile}: '${key}' must be a list of [path, label, class name]`);
    parsed[key] = items.map((item, i) => {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !Number.isInteger(item[1]) || typeof item[2] !== 'string') {
        throw new Error(`${splitFile}: ${key}[${i}] must be [relative path, integer label, class name], got ${JSON.stringify(item)}`);
      }
      const [rel, label, cls] = item as [string, number, string];
      const known = names.get(label);
      if (known !== undefined && known !== cls) throw new Error(`${splitFile}: label ${label} is called both '${known}' and '${cls}'`);
      names.set(label, cls);
      return { path: join(imageDir, rel), label };
    });
  }
  const entries = parsed[split];
  if (!entries) throw new Error(`${splitFile} has no split '${split}'; it has: ${Object.keys(parsed).join(', ')}`);
  const k = Math.max(...names.keys()) + 1;
  const classNames = Array.from({ length: k }, (_, i) => {
    const n = names.get(i);
    if (n === undefined) throw new Error(`${splitFile}: no image has label ${i}, so its class name is unknown`);
    return n;
  });
  return { name, split, classNames, entries };
}

/** Parses classnames.txt ("wnid class name" per line) into an ordered map. */
export function readClassnamesTxt(path: string): Map<string, string> {
  if (!existsSync(path)) throw new Error(`${path} not found; CoOp's ImageNet layouts need classnames.txt ("n01440764 tench" per line)`);
  const out = new Map<string, string>();
  readFileSync(path, 'utf8').split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    const space = t.indexOf(' ');
    if (space < 0) throw new Error(`${path}, line ${i + 1}: expected "FOLDER class name"`);
    out.set(t.slice(0, space), t.slice(space + 1).trim());
  });
  return out;
}

function fgvcIndex(dir: string, split: string): ImageIndex {
  const variantsPath = join(dir, 'variants.txt');
  const listPath = join(dir, `images_variant_${split}.txt`);
  for (const p of [variantsPath, listPath]) if (!existsSync(p)) throw new Error(`${p} not found (FGVC-Aircraft layout: images/, variants.txt, images_variant_{train,val,test}.txt)`);
  const classNames = readFileSync(variantsPath, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const entries = readFileSync(listPath, 'utf8').split(/\r?\n/).filter((l) => l.trim()).map((line, i) => {
    const t = line.trim();
    const space = t.indexOf(' ');
    const variant = t.slice(space + 1).trim();
    const label = classNames.indexOf(variant);
    if (space < 0 || label < 0) throw new Error(`${listPath}, line ${i + 1}: '${t}' is not "IMAGE_ID VARIANT" with a variant from variants.txt`);
    return { path: join(dir, 'images', `${t.slice(0, space)}.jpg`), label };
  });
  return { name: 'fgvc_aircraft', split, classNames, entries };
}

/**
 * Indexes one split of a CoOp dataset under `dataRoot` laid out as CoOp's DATASETS.md
 * describes. Splits: train, val, test (ImageNet: train, test; variants: test).
 */
export function indexCoopDataset(dataRoot: string, name: string, split: string): ImageIndex {
  const layout = COOP_DATASETS[name];
  if (!layout) throw new Error(`unknown CoOp dataset '${name}'; known: ${Object.keys(COOP_DATASETS).join(', ')}`);
  const dir = join(dataRoot, layout.folder);
  if (!existsSync(dir)) throw new Error(`${name}: ${dir} not found; put the dataset there as CoOp's DATASETS.md describes`);
  if (layout.kind === 'split-json') return indexCoopSplitFile(join(dir, layout.splitFile), join(dir, layout.imageDir), split, name);
  if (layout.kind === 'fgvc') return fgvcIndex(dir, split);
  const sub = layout.splitDirs[split];
  if (!sub) throw new Error(`${name} has no split '${split}'; splits: ${Object.keys(layout.splitDirs).join(', ')}`);
  const names = readClassnamesTxt(join(dir, layout.classnames));
  const wnids = [...names.keys()];
  const root = join(dir, sub);
  // ImageNet-V2 names its folders 0..999 in classnames order; A and R hold only a subset of the wnids.
  const present = layout.numericFolders ? wnids.map((_, i) => String(i)).filter((f) => existsSync(join(root, f))) : wnids.filter((w) => existsSync(join(root, w)));
  const displayNames = Object.fromEntries(layout.numericFolders ? wnids.map((w, i) => [String(i), names.get(w)!]) : [...names]);
  return indexImageFolder(root, { name, split, classFolders: present, displayNames });
}
