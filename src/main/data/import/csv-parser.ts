// A strict, streaming RFC 4180 CSV reader: quoted fields, doubled quotes, separators and line
// breaks inside quotes, CRLF, LF or CR. Every record has the header's width. What it cannot read
// is reported with the line the record started on, never guessed at: a quote that is never
// closed, a quote inside an unquoted field, text after a closing quote, a row with more or fewer
// fields (empty trailing ones aside), a field over the text limit. A bad record that spans several
// lines (an unclosed quote swallowing the rows after it) is reported by its first line, and
// reading starts again on the line after it: one stray quote costs one row, not the rest of the file.
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvError {
  line: number;
  error: string;
}

export type CsvItem = CsvRecord | CsvError;

type State = 'start' | 'unquoted' | 'quoted' | 'afterQuote' | 'skipLine';

const isNewline = (token: string) => token === '\n' || token === '\r\n' || token === '\r';

export class CsvParser {
  private state: State = 'start';
  private field = '';
  private fields: string[] = [];
  /** the current record as read (tokens joined), to read again from its second line after an error */
  private raw: string[] = [];
  private line = 1;
  private recordLine = 1;
  /** a CR that ended a chunk: its LF may start the next one */
  private carry = '';
  /** fields per record, from the first one (the header) */
  private width: number | null = null;

  constructor(private readonly maxFieldChars: number) {}

  /** Feeds a chunk of text; returns the records (and errors) it completed. */
  push(chunk: string): CsvItem[] {
    const out: CsvItem[] = [];
    let text = this.carry + chunk;
    this.carry = '';
    if (text.endsWith('\r')) {
      this.carry = '\r';
      text = text.slice(0, -1);
    }
    this.feed(text, out);
    return out;
  }

  /** What the end of the text completes. */
  end(): CsvItem[] {
    const out: CsvItem[] = [];
    if (this.carry) this.feed(this.carry, out);
    this.carry = '';
    for (;;) {
      let again: string | null;
      if (this.state === 'quoted') {
        again = this.fail('a quote opened in this row is never closed', out, false);
      } else if (this.state === 'unquoted' || this.state === 'afterQuote' || this.fields.length > 0) {
        const error = this.finishRecord(out);
        if (!error) break;
        again = this.fail(error, out, true);
      } else {
        break;
      }
      if (again === null) break;
      this.feed(again, out);
    }
    return out;
  }

  private feed(text: string, out: CsvItem[]): void {
    let input = text;
    for (let i = 0; i < input.length; i++) {
      let token = input[i]!;
      if (token === '\r' && input[i + 1] === '\n') {
        token = '\r\n';
        i++;
      }
      if (this.state === 'skipLine') {
        if (isNewline(token)) this.nextLine();
        continue;
      }
      this.raw.push(token);
      const error = this.take(token, out);
      if (!error) continue;
      const again = this.fail(error, out, isNewline(token));
      if (again !== null) {
        input = again + input.slice(i + 1);
        i = -1;
      }
    }
  }

  /** One character (or CRLF); returns why the record cannot be read, if it cannot. */
  private take(token: string, out: CsvItem[]): string | undefined {
    const newline = isNewline(token);
    switch (this.state) {
      case 'start':
      case 'unquoted':
        if (token === '"') {
          if (this.state === 'unquoted') return 'a quote inside an unquoted field (quote the whole field and double the quotes in it: "say ""hi""")';
          this.state = 'quoted';
          return undefined;
        }
        if (token === ',') return this.endField();
        if (newline) return this.endRecord(out);
        this.state = 'unquoted';
        return this.append(token);
      case 'quoted':
        if (token === '"') {
          this.state = 'afterQuote';
          return undefined;
        }
        if (newline) this.line++;
        return this.append(token);
      case 'afterQuote':
        if (token === '"') {
          this.state = 'quoted';
          return this.append('"');
        }
        if (token === ',') return this.endField();
        if (newline) return this.endRecord(out);
        return 'text after a closing quote (double the quotes inside a quoted field: "say ""hi""")';
      default:
        return undefined;
    }
  }

  private append(text: string): string | undefined {
    this.field += text;
    if (this.field.length <= this.maxFieldChars) return undefined;
    return this.state === 'quoted'
      ? `a quoted field longer than ${this.maxFieldChars} characters (is a quote never closed?)`
      : `a field longer than ${this.maxFieldChars} characters`;
  }

  private endField(): undefined {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'start';
    return undefined;
  }

  private endRecord(out: CsvItem[]): string | undefined {
    const error = this.finishRecord(out);
    if (error) return error;
    this.nextLine();
    return undefined;
  }

  private nextLine(): void {
    this.line++;
    this.recordLine = this.line;
    this.raw = [];
    this.state = 'start';
  }

  /** Emits the record; returns an error instead when its width is wrong. */
  private finishRecord(out: CsvItem[]): string | undefined {
    this.fields.push(this.field);
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    this.state = 'start';
    if (fields.length === 1 && fields[0] === '') return undefined; // a blank line
    if (this.width === null) this.width = fields.length;
    // extra fields that are all empty hold nothing (trailing commas); anything else is a misread row
    while (fields.length > this.width && fields[fields.length - 1] === '') fields.pop();
    if (fields.length !== this.width) return `${fields.length} field(s) where the header has ${this.width}`;
    out.push({ line: this.recordLine, fields });
    return undefined;
  }

  /**
   * Reports the record as unreadable. When it spanned lines, returns the text after its first
   * line, to be read again; otherwise (null) the rest of its line is skipped.
   */
  private fail(error: string, out: CsvItem[], atLineEnd: boolean): string | null {
    const firstBreak = this.raw.findIndex(isNewline);
    const spansLines = firstBreak >= 0 && firstBreak < this.raw.length - 1;
    // a record over several lines went wrong because a quote in its first line opened a field
    out.push({
      line: this.recordLine,
      error: spansLines && this.state !== 'quoted' ? `a quote opened in this row runs on to line ${this.line} (${error})` : error,
    });
    this.fields = [];
    this.field = '';
    if (!spansLines) {
      if (atLineEnd || firstBreak >= 0) this.nextLine();
      else {
        this.state = 'skipLine';
        this.raw = [];
      }
      return null;
    }
    const again = this.raw.slice(firstBreak + 1).join('');
    this.line = this.recordLine + 1;
    this.recordLine = this.line;
    this.raw = [];
    this.state = 'start';
    return again;
  }
}

export async function* csvRecords(file: string, maxFieldChars: number): AsyncGenerator<CsvItem> {
  const parser = new CsvParser(maxFieldChars);
  let first = true;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const text = first ? (chunk as string).replace(/^\uFEFF/, '') : (chunk as string);
    first = false;
    yield* parser.push(text);
  }
  yield* parser.end();
}
