// The strict CSV reader: what RFC 4180 allows is read exactly, whatever the chunking, and what it
// cannot read is reported by the line its row started on, costing that row only.
import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvItem } from '../../../src/main/data/import/csv-parser';

function parse(text: string, chunkSize = text.length || 1, maxFieldChars = 1000): CsvItem[] {
  const parser = new CsvParser(maxFieldChars);
  const out: CsvItem[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...parser.push(text.slice(i, i + chunkSize)));
  out.push(...parser.end());
  return out;
}

describe('CSV parser', () => {
  it.each([1, 2, 3, 7, 1000])('reads quotes, doubled quotes, line breaks in quotes and CRLF, LF and CR endings (chunks of %i)', (chunk) => {
    const text = 'image,question,answer\r\na.jpg,"What, exactly?","A ""pad""."\r\nb.jpg,"Two\r\nlines",Yes\nc.jpg,Q,\rd.jpg,,\n\ne.jpg,Q,A,,';
    expect(parse(text, chunk)).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, fields: ['a.jpg', 'What, exactly?', 'A "pad".'] },
      { line: 3, fields: ['b.jpg', 'Two\r\nlines', 'Yes'] },
      { line: 5, fields: ['c.jpg', 'Q', ''] },
      { line: 6, fields: ['d.jpg', '', ''] },
      { line: 8, fields: ['e.jpg', 'Q', 'A'] },
    ]);
  });

  it.each([1, 5, 1000])('reports an unclosed quote by its line and reads the rows after it (chunks of %i)', (chunk) => {
    const text = 'image,question,answer\na.jpg,"What is it?,A cat\nb.jpg,Q2,A2\nc.jpg,Q3,A3\n';
    expect(parse(text, chunk)).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, error: 'a quote opened in this row is never closed' },
      { line: 3, fields: ['b.jpg', 'Q2', 'A2'] },
      { line: 4, fields: ['c.jpg', 'Q3', 'A3'] },
    ]);
  });

  it('resynchronises when a later quote seems to close an unclosed one', () => {
    expect(parse('image,question,answer\na.jpg,"Q1,A1\nb.jpg,Q2,"A2"\nc.jpg,Q3,A3')).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, error: expect.stringMatching(/^a quote opened in this row runs on to line 3 \(text after a closing quote/) },
      { line: 3, fields: ['b.jpg', 'Q2', 'A2'] },
      { line: 4, fields: ['c.jpg', 'Q3', 'A3'] },
    ]);
    expect(parse('image,question,answer\na.jpg,"Q1,A1\nb.jpg,Q2,A2"')).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, error: 'a quote opened in this row runs on to line 3 (2 field(s) where the header has 3)' },
      { line: 3, error: expect.stringMatching(/^a quote inside an unquoted field/) },
    ]);
  });

  it('reports extra fields, stray quotes and text after a closing quote instead of dropping anything', () => {
    expect(parse('image,question,answer\na.jpg,Q,A,extra\nb.jpg,He said "hi",A\nc.jpg,"Q"x,A\nd.jpg,Q\ne.jpg,Q,A\n')).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, error: '4 field(s) where the header has 3' },
      { line: 3, error: expect.stringMatching(/^a quote inside an unquoted field/) },
      { line: 4, error: expect.stringMatching(/^text after a closing quote/) },
      { line: 5, error: '2 field(s) where the header has 3' },
      { line: 6, fields: ['e.jpg', 'Q', 'A'] },
    ]);
  });

  it('reports a field over the limit, and a quote left open to the end of the file', () => {
    expect(parse('image,question,answer\na.jpg,"0123456789ABC",x\nb.jpg,Q,A\nc.jpg,"open', 4, 10)).toEqual([
      { line: 1, fields: ['image', 'question', 'answer'] },
      { line: 2, error: 'a quoted field longer than 10 characters (is a quote never closed?)' },
      { line: 3, fields: ['b.jpg', 'Q', 'A'] },
      { line: 4, error: 'a quote opened in this row is never closed' },
    ]);
  });
});
