// Import is confined to what the person named: image paths in a row or a sidecar, and files found
// while walking a folder, must lie inside the imported folder (for a file: the folder it is in),
// after links are followed, unless the person allowed outside paths. A path outside is refused
// before anything is read, and with the same words whether or not it exists, so an import cannot
// be used to learn what is on the disk.
import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ImageRejectedError } from '../images/image-probe';

export const OUTSIDE_REASON = 'outside the imported folder (allow paths outside it to import this)';

/** The folder an import is confined to. */
export interface ImportRoot {
  /** as named (lexical), and with links resolved */
  path: string;
  real: string;
  allowOutside: boolean;
}

export async function importRoot(path: string, allowOutside = false): Promise<ImportRoot> {
  const abs = resolve(path);
  return { path: abs, real: await realpath(abs).catch(() => abs), allowOutside };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real path to read for `path`, or throws ImageRejectedError: outside the root (as named, or
 * once links are followed), or missing.
 */
export async function confinedPath(root: ImportRoot, path: string): Promise<string> {
  const abs = resolve(path);
  if (root.allowOutside) return abs;
  if (!inside(root.path, abs) && !inside(root.real, abs)) throw new ImageRejectedError(OUTSIDE_REASON);
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // a dangling link says nothing about its target unless the target would be inside
    const target = await linkTarget(abs);
    if (target !== undefined && !inside(root.path, target) && !inside(root.real, target)) throw new ImageRejectedError(OUTSIDE_REASON);
    throw new ImageRejectedError('file not found');
  }
  if (!inside(root.real, real)) throw new ImageRejectedError(OUTSIDE_REASON);
  return real;
}

async function linkTarget(path: string): Promise<string | undefined> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return undefined;
    return resolve(dirname(path), await readlink(path));
  } catch {
    return undefined;
  }
}
