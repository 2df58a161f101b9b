// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, separators and line breaks
// inside quotes, CRLF or LF. Yields each record with the line it started on.
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  private afterQuote = false;
  private line = 1;
  private recordLine = 1;
  private pendingCR = false;

  /** Feeds a chunk of text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    for (const ch of chunk) this.take(ch, out);
    return out;
  }

  /** The last record, if the file did not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.field !== '' || this.fields.length > 0 || this.quoted) this.finishRecord(out);
    return out;
  }

  private take(ch: string, out: CsvRecord[]): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      if (ch === '\n') return;
    }
    if (this.quoted) {
      if (ch === '"') {
        this.quoted = false;
        this.afterQuote = true;
      } else {
        if (ch === '\n') this.line++;
        this.field += ch;
      }
      return;
    }
    if (ch === '"') {
      if (this.afterQuote) this.field += '"'; // a doubled quote inside a quoted field
      this.quoted = true;
      this.afterQuote = false;
      return;
    }
    this.afterQuote = false;
    if (ch === ',') {
      this.fields.push(this.field);
      this.field = '';
    } else if (ch === '\n' || ch === '\r') {
      this.pendingCR = ch === '\r';
      this.finishRecord(out);
      this.line++;
      this.recordLine = this.line;
    } else {
      this.field += ch;
    }
  }

  private finishRecord(out: CsvRecord[]): void {
    this.fields.push(this.field);
    const blank = this.fields.length === 1 && this.fields[0] === '';
    if (!blank) out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
    this.quoted = false;
  }
}

export async function* csvRecords(file: string): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  let first = true;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const text = first ? (chunk as string).replace(/^\uFEFF/, '') : (chunk as string);
    first = false;
    yield* parser.push(text);
  }
  yield* parser.end();
}
