// Import from a path: a folder of images, one image, or a .jsonl / .json / .csv / .parquet file.
// The studio's import is confined to that folder (for a file or an image: the folder it is in).
import { stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { ImportFormat, ImportReport } from '../../../shared/datasets';
import { importRoot, type ImportRoot } from './confined-path';
import { csvEntries } from './csv-source';
import { folderEntries, IMAGE_EXTENSIONS, singleImageEntries } from './folder-source';
import type { ImportEntry } from './import-entry';
import { runImport, type ImportContext, type ImportRunOptions } from './import-runner';
import { jsonArrayEntries, jsonlEntries } from './jsonl-source';
import { parquetEntries } from './parquet-source';

const FILE_FORMATS: Record<string, ImportFormat> = { '.jsonl': 'jsonl', '.json': 'jsonl', '.csv': 'csv', '.parquet': 'parquet' };

export async function detectImportFormat(path: string): Promise<ImportFormat> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    throw new Error(`${path}: cannot import (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (isDirectory) return 'folder';
  if (IMAGE_EXTENSIONS.has(extname(path).toLowerCase())) return 'image';
  const format = FILE_FORMATS[extname(path).toLowerCase()];
  if (!format) throw new Error(`${path}: unknown import format (expected a folder of images, an image, or a .jsonl, .json, .csv or .parquet file)`);
  return format;
}

export function importEntries(path: string, format: ImportFormat, captionPrompt?: string, confine?: ImportRoot): AsyncIterable<ImportEntry> {
  switch (format) {
    case 'folder':
      return folderEntries(path, captionPrompt, confine);
    case 'image':
      return singleImageEntries(path, captionPrompt, confine);
    case 'jsonl':
      return extname(path).toLowerCase() === '.json' ? jsonArrayEntries(path) : jsonlEntries(path);
    case 'csv':
      return csvEntries(path);
    case 'parquet':
      return parquetEntries(path);
  }
}

export async function importPath(ctx: ImportContext, datasetId: number, path: string, options: ImportRunOptions = {}): Promise<ImportReport> {
  const format = await detectImportFormat(path);
  const root = await importRoot(format === 'folder' ? path : dirname(path), options.allowOutsidePaths);
  return runImport({ ...ctx, root }, datasetId, format, importEntries(path, format, options.captionPrompt, root), options);
}
