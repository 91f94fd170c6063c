import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PathOutsideRootError } from '../errors';

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Resolves `p` (read from `file`) against `root` and returns it only if it stays inside
 * `root` or one of `allowedRoots`: lexically, and with symbolic links followed when the
 * target exists. The refusal does not say whether the outside file exists.
 */
export function confinePath(p: string, root: string, where: { file: string; field: string; allowedRoots?: readonly string[] | undefined }): string {
  const roots = [root, ...(where.allowedRoots ?? [])].map((r) => resolve(r));
  const refuse = (): never => {
    throw new PathOutsideRootError({
      file: where.file,
      field: where.field,
      problem: `path ${JSON.stringify(p.slice(0, 200))} resolves outside ${roots[0]}`,
      expected: 'a path inside the listing\'s folder',
      fix: `Move the images under ${roots[0]} or pass the folder they are in as allowedRoots`,
    });
  };
  if (p.includes('\0')) refuse();
  const target = resolve(roots[0]!, p);
  const lexical = roots.find((r) => inside(r, target));
  if (!lexical) refuse();
  const realTarget = real(target);
  if (realTarget !== undefined && !roots.some((r) => inside(real(r) ?? r, realTarget))) refuse();
  return target;
}
