// A folder of images, walked recursively in name order. photo.jpg takes its texts from a sidecar
// photo.json / photo.txt (or photo.jpg.json / photo.jpg.txt) beside it. Files that are neither
// images nor sidecars are reported; hidden files (".DS_Store") are passed over silently.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { confinedPath, type ImportRoot } from './confined-path';
import { skip, type ImportEntry, type ImportItem } from './import-entry';
import { readSidecar, SIDECAR_EXTENSIONS } from './sidecar';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff']);

function sidecarFor(image: string, names: Set<string>): string | null {
  const stem = image.slice(0, image.length - extname(image).length);
  for (const base of [stem, image]) {
    for (const ext of SIDECAR_EXTENSIONS) if (names.has(base + ext)) return base + ext;
  }
  return null;
}

async function imageEntry(root: string, dir: string, name: string, sidecar: string | null, captionPrompt?: string, confine?: ImportRoot): Promise<ImportEntry> {
  const where = relative(root, join(dir, name));
  const item: ImportItem = { where, images: [{ kind: 'path', path: join(dir, name), label: 'image' }], texts: [] };
  if (!sidecar) return { item };
  try {
    // a sidecar that is a link leading out of the folder is not read either
    const path = confine ? await confinedPath(confine, join(dir, sidecar)) : join(dir, sidecar);
    return { item: { ...item, ...(await readSidecar(path, captionPrompt)) } };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return skip(where, `sidecar ${sidecar}: ${err.message}`);
  }
}

/** `confine`: the studio's import, where links out of the folder are refused (see confined-path.ts). */
export async function* folderEntries(root: string, captionPrompt?: string, confine?: ImportRoot, dir = root): AsyncGenerator<ImportEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield skip(relative(root, dir) || '.', `folder not readable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'));
  const names = new Set(files.map((f) => f.name));
  const images = new Set(files.filter((f) => IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase())).map((f) => f.name));
  const usedSidecars = new Set([...images].map((f) => sidecarFor(f, names)).filter((s): s is string => s !== null));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      yield* folderEntries(root, captionPrompt, confine, join(dir, entry.name));
    } else if (images.has(entry.name)) {
      yield await imageEntry(root, dir, entry.name, sidecarFor(entry.name, names), captionPrompt, confine);
    } else if (!usedSidecars.has(entry.name)) {
      const what = names.has(entry.name) ? 'not an image file' : 'not a regular file';
      yield skip(relative(root, join(dir, entry.name)), what);
    }
  }
}

/** One image file, with its sidecar when one lies beside it. */
export async function* singleImageEntries(path: string, captionPrompt?: string, confine?: ImportRoot): AsyncGenerator<ImportEntry> {
  const dir = dirname(path);
  const names = new Set(await readdir(dir).catch(() => [basename(path)]));
  yield await imageEntry(dir, dir, basename(path), sidecarFor(basename(path), names), captionPrompt, confine);
}
