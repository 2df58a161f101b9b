// CSV with a header row: image, question, answer (answer may be empty), and optionally split,
// status and tags (separated by ";" or "|"). One sample per row; image paths are relative to
// the CSV file. Rows the strict reader cannot read are reported, each by its line.
import { basename, dirname } from 'node:path';
import { MAX_TURN_TEXT_CHARS } from '../../../shared/limits';
import { csvRecords } from './csv-parser';
import { skip, type ImportEntry } from './import-entry';
import { rowEntry } from './row-item';

const COLUMN_NAMES: Record<string, string[]> = {
  image: ['image', 'image_path', 'file', 'path', 'filename'],
  question: ['question', 'user', 'prompt', 'query'],
  answer: ['answer', 'assistant', 'response'],
  split: ['split'],
  status: ['status'],
  tags: ['tags'],
};

function columnIndexes(header: string[]): Record<string, number> {
  const normalised = header.map((h) => h.trim().toLowerCase());
  const indexes: Record<string, number> = {};
  for (const [key, names] of Object.entries(COLUMN_NAMES)) {
    const i = normalised.findIndex((h) => names.includes(h));
    if (i >= 0) indexes[key] = i;
  }
  return indexes;
}

function rowObject(fields: string[], columns: Record<string, number>): Record<string, unknown> {
  const get = (key: string) => (columns[key] === undefined ? undefined : fields[columns[key]!]);
  const row: Record<string, unknown> = { image: get('image') ?? '', question: get('question') ?? '', answer: get('answer') ?? '' };
  const split = get('split')?.trim();
  const status = get('status')?.trim();
  const tags = get('tags')
    ?.split(/[;|]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (split) row.split = split === 'validation' ? 'val' : split;
  if (status) row.status = status;
  if (tags?.length) row.tags = tags;
  return row;
}

export async function* csvEntries(file: string): AsyncGenerator<ImportEntry> {
  const name = basename(file);
  let columns: Record<string, number> | null = null;
  for await (const record of csvRecords(file, MAX_TURN_TEXT_CHARS)) {
    if ('error' in record) {
      yield skip(`${name}:row ${record.line}`, `unreadable CSV: ${record.error}`);
      continue;
    }
    if (!columns) {
      columns = columnIndexes(record.fields);
      const missing = ['image', 'question'].filter((k) => columns![k] === undefined);
      if (missing.length) {
        yield skip(`${name}:row ${record.line}`, `header lacks column(s) ${missing.join(', ')} (expected image,question,answer)`);
        return;
      }
      continue;
    }
    yield rowEntry(rowObject(record.fields, columns), `${name}:row ${record.line}`, dirname(file));
  }
}
