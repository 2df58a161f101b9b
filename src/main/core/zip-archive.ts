// A folder written as one .zip, for the browser door's downloads (a dataset export with its images,
// an ONNX export): text files deflated, files already compressed (images, Parquet, weights) stored.
// Plain ZIP (no ZIP64): up to 65,535 files and 4 GiB; a larger folder is refused with a clear error.
// Files are read one at a time, so memory holds one file, and a cancel stops between files.
import { createWriteStream, type WriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);
const COMPRESSIBLE = new Set(['.jsonl', '.json', '.txt', '.csv', '.md', '.onnx', '.data']);
const LIMIT = 0xffff_ffff;
const MAX_ENTRIES = 0xffff;
const UTF8_NAMES = 0x0800;

interface Entry {
  name: Buffer;
  crc: number;
  method: 0 | 8;
  compressed: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

/** Every file under `folder`, paths relative to it with forward slashes, in name order. */
async function filesUnder(folder: string, dir = folder): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) files.push(...(await filesUnder(folder, join(dir, e.name))));
    else if (e.isFile()) files.push(relative(folder, join(dir, e.name)).split(sep).join('/'));
  }
  return files;
}

/** MS-DOS time and date of a moment (2-second resolution, from 1980). */
function dosTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getFullYear());
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | Math.floor(at.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}

function write(out: WriteStream, chunk: Buffer): Promise<void> {
  return out.write(chunk) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
}

export class ArchiveTooLargeError extends Error {
  constructor(what: string) {
    super(`${what} is too large for a .zip download (over 4 GiB or 65,535 files): export to a folder on the studio's machine instead`);
    this.name = 'ArchiveTooLargeError';
  }
}

/** Writes every file under `folder` into `zipPath` (under `prefix/` inside the archive); returns its size. */
export async function zipFolder(folder: string, zipPath: string, options: { prefix?: string; signal?: AbortSignal } = {}): Promise<number> {
  const files = await filesUnder(folder);
  if (files.length > MAX_ENTRIES) throw new ArchiveTooLargeError(folder);
  const out = createWriteStream(zipPath);
  const closed = new Promise<void>((resolve, reject) => {
    out.once('close', () => resolve());
    out.once('error', reject);
  });
  const entries: Entry[] = [];
  let offset = 0;
  try {
    for (const file of files) {
      options.signal?.throwIfAborted();
      const path = join(folder, ...file.split('/'));
      const [data, info] = await Promise.all([readFile(path), stat(path)]);
      const method = COMPRESSIBLE.has(extname(file).toLowerCase()) ? 8 : 0;
      const body = method === 8 ? await deflate(data) : data;
      const entry: Entry = {
        name: Buffer.from(options.prefix ? `${options.prefix}/${file}` : file, 'utf8'),
        crc: crc32(data),
        method,
        compressed: body.length,
        size: data.length,
        offset,
        ...dosTime(info.mtime),
      };
      const header = localHeader(entry);
      if (offset + header.length + body.length > LIMIT) throw new ArchiveTooLargeError(folder);
      await write(out, header);
      await write(out, body);
      offset += header.length + body.length;
      entries.push(entry);
    }
    const directory = Buffer.concat(entries.map(centralHeader));
    if (offset + directory.length > LIMIT) throw new ArchiveTooLargeError(folder);
    await write(out, directory);
    await write(out, endOfDirectory(entries.length, directory.length, offset));
    out.end();
    await closed;
    return offset + directory.length + 22;
  } catch (err) {
    out.destroy();
    await closed.catch(() => undefined);
    throw err;
  }
}

function localHeader(e: Entry): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(UTF8_NAMES, 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(e.time, 10);
  b.writeUInt16LE(e.date, 12);
  b.writeUInt32LE(e.crc, 14);
  b.writeUInt32LE(e.compressed, 18);
  b.writeUInt32LE(e.size, 22);
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(0, 28);
  return Buffer.concat([b, e.name]);
}

function centralHeader(e: Entry): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(UTF8_NAMES, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(e.time, 12);
  b.writeUInt16LE(e.date, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(e.compressed, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  // extra, comment, disk, internal and external attributes stay 0
  b.writeUInt32LE(e.offset, 42);
  return Buffer.concat([b, e.name]);
}

function endOfDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}
