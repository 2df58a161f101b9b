// No silent loss or leak in an import: a CSV row the reader cannot read is reported (one stray
// quote no longer swallows the rest of the file), every Parquet row a damaged page costs is
// counted, and image paths cannot lead out of the imported folder (absolute paths, "../", links)
// unless allowed, with the same words whether the outside path exists or not.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../src/main/data/dataset-store';
import { CAULDRON_SCHEMA } from '../../../src/main/data/export/export-parquet';
import { OUTSIDE_REASON } from '../../../src/main/data/import/confined-path';
import { generatedJpeg, tempDir, tempStore } from '../../helpers/data-fixtures';

let store: DatasetStore;
let closeStore: () => void;
let work: { path: string; remove: () => void };

beforeEach(() => {
  ({ store, close: closeStore } = tempStore());
  work = tempDir('nanovlm-import-trust-');
});
afterEach(() => {
  closeStore();
  work.remove();
});

const reasons = (report: { issues: { where: string; reason: string }[] }) => Object.fromEntries(report.issues.map((i) => [i.where, i.reason]));
const questions = (datasetId: number) => store.pageSamples({ datasetId }).items.map((s) => s.firstQuestion);

describe('CSV import', () => {
  it('reports an unclosed quote, extra fields and stray quotes by row, and imports every row it can read', async () => {
    writeFileSync(join(work.path, 'a.jpg'), await generatedJpeg(1));
    const csv = [
      'image,question,answer',
      'a.jpg,"What is it?,A cat', // never closed: used to swallow every row below into one question
      'a.jpg,Second,Yes',
      'a.jpg,Third,Yes,an extra field',
      'a.jpg,He said "hi",Yes',
      'a.jpg,Fourth,Yes',
    ].join('\n');
    writeFileSync(join(work.path, 'qa.csv'), csv);
    const datasetId = store.createDataset('csv').id;
    const report = await store.importPath(datasetId, join(work.path, 'qa.csv'));
    expect(reasons(report)).toEqual({
      'qa.csv:row 2': expect.stringMatching(/^unreadable CSV: a quote opened in this row runs on to line 5 /),
      'qa.csv:row 4': 'unreadable CSV: 4 field(s) where the header has 3',
      'qa.csv:row 5': expect.stringMatching(/^unreadable CSV: a quote inside an unquoted field/),
    });
    expect(report).toMatchObject({ imported: 2, skipped: 3 });
    expect(questions(datasetId)).toEqual(['Second', 'Fourth']);
  });
});

describe('Parquet import', () => {
  it('counts every row a damaged page loses, and keeps the readable rows around it', async () => {
    const bytes = await generatedJpeg(2);
    const ROWS = 200;
    const rows = Array.from({ length: ROWS }, (_, i) => ({ images: [{ bytes, path: 'a.jpg' }], texts: [{ user: `question ${i}`, assistant: `answer ${i}` }] }));
    const file = join(work.path, 'train-00000-of-00001.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'images', data: rows.map((r) => r.images) },
        { name: 'texts', data: rows.map((r) => r.texts) },
      ],
      schema: CAULDRON_SCHEMA,
      rowGroupSize: 64,
    });
    const data = readFileSync(file);
    const middle = Math.floor(data.length / 2);
    for (let i = 0; i < 256; i++) data[middle + i] = (i * 37 + 11) & 255;
    writeFileSync(file, data);
    const datasetId = store.createDataset('parquet').id;
    const report = await store.importPath(datasetId, file);
    expect(report.skipped).toBeGreaterThan(0);
    expect(report.imported + report.skipped).toBe(ROWS);
    expect(report.issues).toHaveLength(report.skipped);
    for (const issue of report.issues) expect(issue.where).toMatch(/^train-00000-of-00001\.parquet:row \d+$/);
  });
});

describe('import confinement', () => {
  async function layout() {
    const outside = join(work.path, 'outside');
    const root = join(work.path, 'import');
    mkdirSync(outside);
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(outside, 'secret.jpg'), await generatedJpeg(3));
    writeFileSync(join(outside, 'secret.json'), JSON.stringify({ texts: [{ user: 'leaked?', assistant: 'yes' }] }));
    writeFileSync(join(root, 'inside.jpg'), await generatedJpeg(4));
    return { outside, root };
  }

  it("refuses absolute paths, ../ and links that lead out of a file's folder, the same whether the target exists or not", async () => {
    const { outside, root } = await layout();
    symlinkSync(join(outside, 'secret.jpg'), join(root, 'link.jpg'));
    symlinkSync(join(outside, 'nothing-here.jpg'), join(root, 'dangling.jpg'));
    const rows = [
      ['inside.jpg', 'inside'],
      [join(root, 'sub', '..', 'inside.jpg'), 'inside, absolute'],
      [join(outside, 'secret.jpg'), 'absolute outside'],
      [join(outside, 'nothing-here.jpg'), 'absolute outside, missing'],
      ['../outside/secret.jpg', 'dot-dot outside'],
      ['../outside/nothing-here.jpg', 'dot-dot outside, missing'],
      ['link.jpg', 'link out'],
      ['dangling.jpg', 'dangling link out'],
      ['missing.jpg', 'missing inside'],
    ];
    writeFileSync(join(root, 'rows.jsonl'), rows.map(([image, q]) => JSON.stringify({ image, question: q, answer: 'a' })).join('\n'));
    const datasetId = store.createDataset('confined').id;
    const report = await store.importPath(datasetId, join(root, 'rows.jsonl'));
    const outsideReason = `images[0]: ${OUTSIDE_REASON}`;
    expect(report.issues.map((i) => [i.where, i.reason.replace(/ \(\/.*\)$/, '')])).toEqual([
      ['rows.jsonl:line 3', outsideReason],
      ['rows.jsonl:line 4', outsideReason],
      ['rows.jsonl:line 5', outsideReason],
      ['rows.jsonl:line 6', outsideReason],
      ['rows.jsonl:line 7', outsideReason],
      ['rows.jsonl:line 8', outsideReason],
      ['rows.jsonl:line 9', 'images[0]: file not found'],
    ]);
    expect(questions(datasetId)).toEqual(['inside', 'inside, absolute']);
  });

  it('refuses links out of an imported folder, images and sidecars alike', async () => {
    const { outside, root } = await layout();
    symlinkSync(join(outside, 'secret.jpg'), join(root, 'sub', 'linked.jpg'));
    symlinkSync(join(outside, 'secret.json'), join(root, 'inside.json'));
    symlinkSync(outside, join(root, 'linked-folder'));
    const datasetId = store.createDataset('folder').id;
    const report = await store.importPath(datasetId, root);
    expect(reasons(report)).toMatchObject({
      'sub/linked.jpg': OUTSIDE_REASON,
      'inside.jpg': `sidecar inside.json: ${OUTSIDE_REASON}`,
    });
    expect(report.imported).toBe(0);
  });

  it('reads outside paths when the person allows them', async () => {
    const { outside, root } = await layout();
    writeFileSync(join(root, 'rows.jsonl'), JSON.stringify({ image: join(outside, 'secret.jpg'), question: 'allowed', answer: 'a' }));
    const datasetId = store.createDataset('allowed').id;
    const report = await store.importPath(datasetId, join(root, 'rows.jsonl'), { allowOutsidePaths: true });
    expect(report).toMatchObject({ imported: 1, skipped: 0 });
  });
});
