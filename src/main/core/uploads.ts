// Files sent from the person's computer through the API (the browser door has no path to them):
// an upload is a set of files with relative paths (one file, or a folder with its images) written
// in chunks under <data folder>/uploads/<id>/, then imported like a path on the studio's machine.
// Every path is checked (relative, no "..", no odd characters); a chunk must continue its file
// exactly where it stopped, and no file grows past the size declared. Uploads left by a studio that
// stopped are cleared at start.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError } from '../../shared/api';
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, type UploadFile } from '../../shared/uploads';

interface Upload {
  dir: string;
  files: Map<string, { declared: number; received: number }>;
}

const DATA_FILE = /\.(jsonl|json|csv|parquet)$/i;
const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?)$/i;
const SEGMENT = /^[^\\/:*?"<>|\u0000-\u001f]{1,255}$/;

/** "photos/cat.jpg" → ["photos", "cat.jpg"]; throws on anything that could leave the upload folder. */
export function uploadPathParts(path: string): string[] {
  const parts = path.split('/');
  if (parts.length > 32 || parts.some((p) => !SEGMENT.test(p) || p === '.' || p === '..' || p.trim() !== p)) {
    throw new ApiError('invalid_input', `uploads: "${path}" is not a relative file path (folders separated by /, no "..")`, 'path');
  }
  return parts;
}

export class Uploads {
  private readonly uploads = new Map<string, Upload>();
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'uploads');
    rmSync(this.root, { recursive: true, force: true });
  }

  begin(files: UploadFile[]): { uploadId: string } {
    const total = files.reduce((n, f) => n + f.bytes, 0);
    if (files.length > MAX_UPLOAD_FILES) throw new ApiError('invalid_input', `uploads: ${files.length} files, at most ${MAX_UPLOAD_FILES}`, 'files');
    if (total > MAX_UPLOAD_BYTES) throw new ApiError('invalid_input', `uploads: ${total} bytes, at most ${MAX_UPLOAD_BYTES}`, 'files');
    const id = randomUUID();
    const upload: Upload = { dir: join(this.root, id), files: new Map() };
    for (const f of files) {
      const key = uploadPathParts(f.path).join('/');
      if (upload.files.has(key)) throw new ApiError('invalid_input', `uploads: "${f.path}" is listed twice`, 'files');
      upload.files.set(key, { declared: f.bytes, received: 0 });
    }
    mkdirSync(upload.dir, { recursive: true });
    for (const key of upload.files.keys()) {
      const file = join(upload.dir, ...key.split('/'));
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, Buffer.alloc(0));
    }
    this.uploads.set(id, upload);
    return { uploadId: id };
  }

  /** Appends a chunk at `offset` (where the file stopped); returns how much of the file has come. */
  write(uploadId: string, path: string, offset: number, bytes: Buffer): { received: number } {
    const upload = this.require(uploadId);
    const key = uploadPathParts(path).join('/');
    const file = upload.files.get(key);
    if (!file) throw new ApiError('invalid_input', `uploads: "${path}" is not part of this upload`, 'path');
    if (offset !== file.received)
      throw new ApiError('conflict', `uploads: "${path}" has ${file.received} bytes; a chunk must start there, not at ${offset}`, 'offset');
    if (file.received + bytes.length > file.declared)
      throw new ApiError('invalid_input', `uploads: "${path}" would grow past the ${file.declared} bytes declared`, 'dataBase64');
    appendFileSync(join(upload.dir, ...key.split('/')), bytes);
    file.received += bytes.length;
    return { received: file.received };
  }

  /**
   * What to import (every file must be complete): the one file; the one data file (JSONL, CSV,
   * Parquet) of several, its images beside it; else the folder.
   */
  pathOf(uploadId: string): string {
    const upload = this.require(uploadId);
    for (const [key, f] of upload.files) {
      if (f.received !== f.declared)
        throw new ApiError('conflict', `uploads: "${key}" has ${f.received} of ${f.declared} bytes; send the rest first`, 'uploadId');
    }
    const keys = [...upload.files.keys()];
    // a photo's .json sidecar (cat.jpg + cat.json) is not a data file
    const stems = new Set(keys.filter((k) => IMAGE_FILE.test(k)).map((k) => k.replace(IMAGE_FILE, '')));
    const data = keys.filter((k) => DATA_FILE.test(k) && !stems.has(k.replace(/(\.\w+)?\.json$/i, '')));
    if (keys.length === 1 || data.length === 1) return join(upload.dir, ...(data[0] ?? keys[0]!).split('/'));
    // a single folder chosen in the browser arrives as "folder/…": import that folder
    const tops = new Set(keys.map((k) => k.split('/')[0]));
    const only = tops.size === 1 ? join(upload.dir, [...tops][0]!) : upload.dir;
    return existsSync(only) && statSync(only).isDirectory() ? only : upload.dir;
  }

  discard(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    this.uploads.delete(uploadId);
    rmSync(upload.dir, { recursive: true, force: true });
  }

  closeAll(): void {
    for (const id of [...this.uploads.keys()]) this.discard(id);
  }

  private require(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new ApiError('not_found', `no upload with id ${uploadId} (uploads last until they are imported or the studio stops)`, 'uploadId');
    return upload;
  }
}
