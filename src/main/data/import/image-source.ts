// Turns an image reference found in a row (a path relative to the file, a data URL, or bytes)
// into an ImageSource, and an ImageSource into bytes, with reasons a person can act on.
import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { imageIdOf } from '../images/image-id';
import { ImageRejectedError } from '../images/image-probe';
import { confinedPath, type ImportRoot } from './confined-path';
import type { ImageSource } from './import-entry';

/** Larger files are refused before they are read (a real photo is far smaller). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

const DATA_URL = /^data:([\w/+.-]*)?(;[\w=.-]+)*;base64,/i;

/** A string from a row: a data URL, or a path (relative to baseDir). Throws with the reason. */
export function imageSourceFromString(ref: string, baseDir: string, label: string): ImageSource {
  const match = DATA_URL.exec(ref);
  if (match) return { kind: 'bytes', bytes: Buffer.from(ref.slice(match[0].length), 'base64'), label };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new Error(`${label}: remote images are not downloaded ("${ref.slice(0, 100)}")`);
  if (ref.startsWith('data:')) throw new Error(`${label}: only base64 data URLs are supported`);
  if (ref.trim() === '') throw new Error(`${label}: empty image path`);
  return { kind: 'path', path: isAbsolute(ref) ? ref : resolve(baseDir, ref), label };
}

/** Exports name images by the sha256 of their bytes: such a file whose bytes no longer match was changed or damaged since. */
function checkedAgainstName(path: string, bytes: Uint8Array): Uint8Array {
  const named = /^([0-9a-f]{64})\.[A-Za-z0-9]+$/.exec(basename(path));
  if (named && imageIdOf(bytes) !== named[1])
    throw new ImageRejectedError('damaged: its bytes no longer match the checksum in its name (changed or damaged since it was exported)');
  return bytes;
}

/** The bytes of an image; a path is first confined to `root` when one is given (studio imports). */
export async function readImageSource(source: ImageSource, root?: ImportRoot): Promise<Uint8Array> {
  if (source.kind === 'bytes') return source.bytes;
  try {
    const path = root ? await confinedPath(root, source.path) : source.path;
    const info = await stat(path);
    if (!info.isFile()) throw new ImageRejectedError('not a file');
    if (info.size > MAX_IMAGE_FILE_BYTES) throw new ImageRejectedError(`file too large (${info.size} bytes)`);
    return checkedAgainstName(path, await readFile(path));
  } catch (err) {
    if (err instanceof ImageRejectedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageRejectedError('file not found');
    if (code === 'EACCES' || code === 'EPERM') throw new ImageRejectedError('file not readable (permission denied)');
    throw new ImageRejectedError(`file not readable (${code ?? (err as Error).message})`);
  }
}
