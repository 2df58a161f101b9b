// JSONL, read line by line (never the whole file in memory); a .json file holding one array of
// rows is read whole. Each line is one sample in any layout row-layouts.ts understands.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { skip, type ImportEntry } from './import-entry';
import { rowEntry } from './row-item';

export async function* jsonlEntries(file: string): AsyncGenerator<ImportEntry> {
  const name = basename(file);
  const baseDir = dirname(file);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    const where = `${name}:line ${lineNo}`;
    const text = lineNo === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield skip(where, `malformed JSON (${(err as Error).message})`);
      continue;
    }
    yield rowEntry(value, where, baseDir);
  }
}

export async function* jsonArrayEntries(file: string): AsyncGenerator<ImportEntry> {
  const name = basename(file);
  let rows: unknown;
  try {
    rows = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    yield skip(name, `malformed JSON (${(err as Error).message})`);
    return;
  }
  if (!Array.isArray(rows)) {
    yield skip(name, 'expected a JSON array of rows (or use JSONL: one row per line)');
    return;
  }
  for (let i = 0; i < rows.length; i++) yield rowEntry(rows[i], `${name}:row ${i + 1}`, dirname(file));
}
