import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PathOutsideRootError } from '../errors';

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

// Listings name many files under few roots: each root's real path is looked up once.
const realRoots = new Map<string, string>();

function real(p: string): string | undefined {
  // lstat first: a missing path is common (checked later, when decoded) and a thrown error per entry is slow.
  if (!lstatSync(p, { throwIfNoEntry: false })) return undefined;
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function realRoot(r: string): string {
  let found = realRoots.get(r);
  if (found === undefined) {
    found = real(r) ?? r;
    if (realRoots.size > 1000) realRoots.clear();
    realRoots.set(r, found);
  }
  return found;
}

/**
 * Resolves `p` (read from `file`) against `root` and returns it only if it stays inside
 * `root` or one of `allowedRoots`: lexically, and with symbolic links followed when the
 * target exists. The refusal does not say whether the outside file exists.
 */
export function confinePath(
  p: string,
  root: string,
  where: { file: string; field: string; allowedRoots?: readonly string[] | undefined; dirs?: Map<string, boolean> },
): string {
  const roots = [root, ...(where.allowedRoots ?? [])].map((r) => resolve(r));
  const refuse = (): never => {
    throw new PathOutsideRootError({
      file: where.file,
      field: where.field,
      problem: `path ${JSON.stringify(p.slice(0, 200))} resolves outside ${roots[0]}`,
      expected: "a path inside the listing's folder",
      fix: `Move the images under ${roots[0]} or pass the folder they are in as allowedRoots`,
    });
  };
  if (p.includes('\0')) refuse();
  const target = resolve(roots[0]!, p);
  const lexical = roots.find((r) => inside(r, target));
  if (!lexical) refuse();
  // A listing names many files per folder: with `dirs` (one map per listing) a missing folder
  // is looked up once, and its files, which cannot exist, are not looked up at all.
  const parent = dirname(target);
  let parentExists = where.dirs?.get(parent);
  if (parentExists === undefined) {
    parentExists = lstatSync(parent, { throwIfNoEntry: false }) !== undefined;
    where.dirs?.set(parent, parentExists);
  }
  const realTarget = parentExists ? real(target) : undefined;
  if (realTarget !== undefined && !roots.some((r) => inside(realRoot(r), realTarget))) refuse();
  return target;
}
