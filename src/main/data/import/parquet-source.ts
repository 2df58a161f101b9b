// Parquet in the_cauldron / FineVision layout: `images` (a list of image structs {bytes, path})
// and `texts` (a list of {user, assistant, …}), read a few rows at a time. A file without those
// columns is reported once, as a whole. The split is taken from the file name (train-…, test-…).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { basename, dirname } from 'node:path';
import type { SampleSplit } from '../../../shared/datasets';
import { imageSourceFromString } from './image-source';
import { skip, type ImageSource, type ImportEntry, type ImportItem } from './import-entry';

const ROWS_PER_READ = 32;
const decoder = new TextDecoder();

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decoder.decode(value);
  return value === null || value === undefined ? '' : null;
}

export function splitFromFileName(name: string): SampleSplit | undefined {
  const m = /^(train|training|val|valid|validation|dev|test)(?=[-_.])/i.exec(name);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  return word.startsWith('train') ? 'train' : word === 'test' ? 'test' : 'val';
}

/** The column holding images, or the reason the schema is wrong. */
function checkSchema(metadata: FileMetaData): { imageColumn: string } | { wrong: string } {
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const imageColumn = columns.includes('images') ? 'images' : columns.includes('image') ? 'image' : null;
  if (imageColumn && columns.includes('texts')) return { imageColumn };
  return {
    wrong: `wrong schema: expected columns "images" (list of {bytes, path}) and "texts" (list of {user, assistant}); found ${columns.map((c) => `"${c}"`).join(', ') || 'none'}`,
  };
}

function imageOf(value: unknown, baseDir: string, label: string): ImageSource {
  if (value instanceof Uint8Array) return { kind: 'bytes', bytes: value, label };
  if (typeof value === 'object' && value !== null) {
    const { bytes, path } = value as { bytes?: unknown; path?: unknown };
    if (bytes instanceof Uint8Array && bytes.byteLength > 0) return { kind: 'bytes', bytes, label };
    if (typeof path === 'string' && path) return imageSourceFromString(path, baseDir, label);
  }
  throw new Error(`${label}: neither image bytes nor a path`);
}

function rowItem(row: Record<string, unknown>, imageColumn: string, where: string, baseDir: string, split?: SampleSplit): ImportItem {
  const rawImages = imageColumn === 'image' ? [row.image] : row.images;
  if (!Array.isArray(rawImages) || rawImages.length === 0) throw new Error('no image');
  const images = rawImages.map((v, i) => imageOf(v, baseDir, `images[${i}]`));
  if (!Array.isArray(row.texts)) throw new Error('texts: expected a list of {user, assistant}');
  const texts = row.texts.map((t: unknown, i) => {
    const { user, assistant } = (t ?? {}) as { user?: unknown; assistant?: unknown };
    const u = text(user);
    const a = text(assistant);
    if (u === null || a === null) throw new Error(`texts[${i}]: user and assistant must be strings`);
    return { user: u, assistant: a };
  });
  return { where, images, texts, split };
}

export async function* parquetEntries(file: string): AsyncGenerator<ImportEntry> {
  const name = basename(file);
  let metadata: FileMetaData;
  const buffer = await asyncBufferFromFile(file);
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    yield skip(name, `not a readable Parquet file (${(err as Error).message})`);
    return;
  }
  const schema = checkSchema(metadata);
  if ('wrong' in schema) {
    yield skip(name, schema.wrong);
    return;
  }
  const split = splitFromFileName(name);
  const total = Number(metadata.num_rows);
  // compressors: FineVision and other Hub datasets use ZSTD, GZIP, Brotli or LZ4 beside Snappy
  const read = (rowStart: number, rowEnd: number) =>
    parquetReadObjects({ file: buffer, metadata, columns: [schema.imageColumn, 'texts'], rowStart, rowEnd, utf8: false, compressors });
  for (let start = 0; start < total; start += ROWS_PER_READ) {
    const end = Math.min(total, start + ROWS_PER_READ);
    let rows: (Record<string, unknown> | Error)[];
    try {
      rows = await read(start, end);
    } catch {
      // a damaged page: read the rows one by one, so that each row lost is reported (and counted)
      // and the readable ones around it are kept
      rows = [];
      for (let row = start; row < end; row++)
        rows.push(
          await read(row, row + 1).then(
            (r) => r[0]!,
            (err: unknown) => err as Error,
          ),
        );
    }
    for (let i = 0; i < rows.length; i++) {
      const where = `${name}:row ${start + i + 1}`;
      const row = rows[i]!;
      if (row instanceof Error) {
        yield skip(where, `unreadable (${row.message})`);
        continue;
      }
      try {
        yield { item: rowItem(row, schema.imageColumn, where, dirname(file), split) };
      } catch (err) {
        yield skip(where, (err as Error).message);
      }
    }
  }
}
