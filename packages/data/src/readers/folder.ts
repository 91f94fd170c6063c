import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DataListingError } from '../errors';
import { confinePath } from './confine';
import type { ImageIndex } from './image-index';

/** File extensions read as images (case-insensitive); the decoder still checks the bytes. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

export interface FolderIndexOptions {
  name?: string;
  split?: string;
  /** Display name per folder name (e.g. ImageNet wnid -> "tench"); folders missing from it keep their name. */
  displayNames?: Readonly<Record<string, string>>;
  /** Only these folders, in this order (labels follow it). Default: every sub-folder, sorted. */
  classFolders?: readonly string[];
  /** Further folders that class folders and linked files may resolve into (by default: only root). */
  allowedRoots?: readonly string[];
}

/**
 * Indexes `root/CLASS/*.png|jpg|jpeg`: one class per sub-folder, labels in sorted folder
 * order (as torchvision's ImageFolder), files sorted by name.
 */
export function indexImageFolder(root: string, options: FolderIndexOptions = {}): ImageIndex {
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new DataListingError({ file: root, problem: `image folder ${root} does not exist or is not a folder` });
  const folders = options.classFolders
    ? [...options.classFolders]
    : readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
  if (folders.length === 0) throw new DataListingError({ file: root, problem: 'has no class sub-folders', expected: 'root/CLASS/*.png|jpg' });
  const where = { file: root, allowedRoots: options.allowedRoots };
  const entries = folders.flatMap((folder, label) => {
    const dir = confinePath(folder, root, { ...where, field: `class folder ${JSON.stringify(folder)}` });
    if (!existsSync(dir)) throw new DataListingError({ file: root, problem: `class folder ${dir} does not exist` });
    // Links are followed only where they stay inside the folder (or an allowed root).
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => isImageFile(d.name))
      .map((d) =>
        d.isSymbolicLink() ? confinePath(join(folder, d.name), root, { ...where, field: `link ${JSON.stringify(join(folder, d.name))}` }) : join(dir, d.name),
      )
      .sort()
      .map((path) => ({ path, label }));
  });
  if (entries.length === 0) throw new DataListingError({ file: root, problem: 'has class folders but no .png/.jpg/.jpeg files' });
  return {
    name: options.name ?? basename(root),
    split: options.split ?? 'all',
    classNames: folders.map((f) => options.displayNames?.[f] ?? f),
    entries,
  };
}
