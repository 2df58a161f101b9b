// Imports from every supported layout into a real database, with bad input reported by file and
// row while the rest is imported.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../src/main/data/dataset-store';
import type { ImportProgress } from '../../../src/shared/datasets';
import { generatedJpeg, photo, PHOTOS, pngClaiming, tempDir, tempStore } from '../../helpers/data-fixtures';

let store: DatasetStore;
let closeStore: () => void;
let work: { path: string; remove: () => void };

beforeEach(() => {
  ({ store, close: closeStore } = tempStore());
  work = tempDir('nanovlm-import-');
});
afterEach(() => {
  closeStore();
  work.remove();
});

function reasons(report: { issues: { where: string; reason: string }[] }): Record<string, string> {
  return Object.fromEntries(report.issues.map((i) => [i.where, i.reason]));
}

describe('folder import', () => {
  it('imports images recursively with sidecars, and names every skipped file with its reason', async () => {
    const dir = work.path;
    for (const f of ['chelsea.png', 'coffee.png', 'chessboard_GRAY.png', 'foo3x5x4indexed.png', 'green_palette.png', 'truncated.jpg'])
      copyFileSync(join(PHOTOS, f), join(dir, f));
    writeFileSync(join(dir, 'chelsea.json'), JSON.stringify({ texts: [{ user: 'Who is this?', assistant: 'Chelsea the cat.' }], tags: ['cat'] }));
    writeFileSync(join(dir, 'coffee.txt'), 'A cup of coffee on a saucer.');
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    copyFileSync(join(PHOTOS, 'rocket.jpg'), join(dir, 'nested', 'deeper', 'rocket.jpg'));
    writeFileSync(join(dir, 'nested', 'deeper', 'rocket.txt'), 'Q: What is it?\nA: A rocket.\nQ: Is it flying?\nA: Not yet.\n');
    copyFileSync(join(PHOTOS, 'chelsea.png'), join(dir, 'nested', 'chelsea-copy.png'));
    writeFileSync(join(dir, 'empty.jpg'), '');
    writeFileSync(join(dir, 'fake.png'), 'this is not a png');
    writeFileSync(join(dir, 'notes.pdf'), '%PDF-1.4');
    writeFileSync(join(dir, 'huge.png'), await pngClaiming(12000, 12000));
    const rocket = photo('rocket.jpg');
    writeFileSync(join(dir, 'cut.jpg'), rocket.subarray(0, Math.floor(rocket.length * 0.6)));
    writeFileSync(join(dir, 'bad-sidecar.png'), await generatedJpeg(1));
    writeFileSync(join(dir, 'bad-sidecar.json'), '{"texts": [');
    symlinkSync(join(dir, 'missing-target.jpg'), join(dir, 'dangling.jpg'));
    writeFileSync(join(dir, '.DS_Store'), 'x');

    const progress: ImportProgress[] = [];
    const datasetId = store.createDataset('folder').id;
    const report = await store.importPath(datasetId, dir, { batchSize: 3, onProgress: (p) => progress.push(p) });

    expect(reasons(report)).toEqual({
      'bad-sidecar.png': expect.stringMatching(/^sidecar bad-sidecar\.json: malformed JSON/),
      'cut.jpg': expect.stringMatching(/corrupt or truncated/),
      'dangling.jpg': 'file not found',
      'empty.jpg': 'empty file',
      'fake.png': 'not an image (unrecognised format)',
      'huge.png': 'image is over the pixel limit (12000×12000 > 89478485 pixels)',
      'notes.pdf': 'not an image file',
      'truncated.jpg': expect.stringMatching(/corrupt/),
    });
    expect(report).toMatchObject({ imported: 7, skipped: 8, duplicates: 0, newImages: 6, cancelled: false, format: 'folder' });
    expect(progress.at(-1)).toMatchObject({ imported: 7, skipped: 8, processed: 15 });
    expect(progress.length).toBeGreaterThan(3);

    const all = store.pageSamples({ datasetId }).items;
    const bySource = new Map(all.map((s) => [store.getSample(s.id)!.source, store.getSample(s.id)!]));
    expect(bySource.get('chelsea.png')).toMatchObject({
      tags: ['cat'],
      status: 'done',
      turns: [{ user: 'Who is this?', assistant: 'Chelsea the cat.', origin: 'import' }],
    });
    expect(bySource.get('coffee.png')!.turns).toEqual([{ user: 'Describe this image.', assistant: 'A cup of coffee on a saucer.', origin: 'import' }]);
    expect(bySource.get('nested/deeper/rocket.jpg')!.turns.map((t) => t.assistant)).toEqual(['A rocket.', 'Not yet.']);
    expect(bySource.get('green_palette.png')).toMatchObject({ status: 'todo', turns: [] });
    // the same photo twice: one image stored, two samples
    expect(bySource.get('nested/chelsea-copy.png')!.images[0]!.id).toBe(bySource.get('chelsea.png')!.images[0]!.id);
  });
});

describe('JSONL import', () => {
  it('reads the VQA and ShareGPT layouts, data URLs and relative paths; reports malformed lines', async () => {
    copyFileSync(join(PHOTOS, 'astronaut.png'), join(work.path, 'astronaut.png'));
    copyFileSync(join(PHOTOS, 'coffee.png'), join(work.path, 'coffee.png'));
    const dataUrl = `data:image/png;base64,${photo('chelsea.png').toString('base64')}`;
    const lines = [
      JSON.stringify({
        images: ['astronaut.png'],
        texts: [
          { user: 'Who?', assistant: 'An astronaut.' },
          { user: 'Where?', assistant: 'In space.' },
        ],
      }),
      JSON.stringify({ images: [dataUrl], texts: [{ user: 'Animal?', assistant: 'A cat.' }], split: 'val', tags: ['cat'] }),
      '{"images": ["coffee.png"], "texts": [{"user": "broken"',
      '',
      JSON.stringify({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: '<image><image>Same?' },
          { role: 'assistant', content: 'No.' },
        ],
        images: ['coffee.png', 'astronaut.png'],
      }),
      JSON.stringify({
        conversations: [
          { from: 'human', value: '<image>Drink?' },
          { from: 'gpt', value: 'Coffee.' },
        ],
        images: ['coffee.png'],
      }),
      JSON.stringify({ messages: [{ role: 'user', content: '<image>Hi' }], images: ['coffee.png', 'astronaut.png'] }),
      JSON.stringify({ images: ['missing.jpg'], texts: [{ user: 'Q', assistant: 'A' }] }),
      JSON.stringify({ images: ['coffee.png'], texts: [{ user: 42 }] }),
      JSON.stringify({ foo: 1 }),
      JSON.stringify({ images: ['https://example.com/a.jpg'], texts: [] }),
      JSON.stringify({
        images: ['astronaut.png'],
        texts: [
          { user: 'Who?', assistant: 'An astronaut.' },
          { user: 'Where?', assistant: 'In space.' },
        ],
      }),
    ];
    const file = join(work.path, 'data.jsonl');
    writeFileSync(file, lines.join('\n'));
    const datasetId = store.createDataset('jsonl').id;
    const report = await store.importPath(datasetId, file);
    expect(reasons(report)).toEqual({
      'data.jsonl:line 3': expect.stringMatching(/^malformed JSON/),
      'data.jsonl:line 7': '1 <image> marker(s) for 2 image(s)',
      'data.jsonl:line 8': expect.stringMatching(/^images\[0\]: file not found \(.*missing\.jpg\)$/),
      'data.jsonl:line 9': expect.stringMatching(/^texts\[0\]\.user: /),
      'data.jsonl:line 10': expect.stringMatching(/^unrecognised layout/),
      'data.jsonl:line 11': expect.stringMatching(/remote images are not downloaded/),
    });
    expect(report).toMatchObject({ imported: 5, skipped: 6, duplicates: 1 });
    expect(report.duplicateOf[0]!.where).toBe('data.jsonl:line 12');
    const samples = store.pageSamples({ datasetId }).items.map((s) => store.getSample(s.id)!);
    expect(samples[1]).toMatchObject({ split: 'val', tags: ['cat'], turns: [{ user: 'Animal?', assistant: 'A cat.', origin: 'import' }] });
    expect(samples[2]!.images).toHaveLength(2);
    expect(samples[2]!.turns).toEqual([{ user: 'Same?', assistant: 'No.', origin: 'import' }]);
    expect(samples[3]!.turns[0]).toMatchObject({ user: 'Drink?', assistant: 'Coffee.' });
    expect(samples[4]!.duplicateOf).toBe(samples[0]!.id);
  });

  it('is cancellable between items: what was committed stays, and the report says so', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 30; i++) {
      writeFileSync(join(work.path, `g${i}.jpg`), await generatedJpeg(i));
      rows.push(JSON.stringify({ images: [`g${i}.jpg`], texts: [{ user: `q${i}`, assistant: 'a' }] }));
    }
    const file = join(work.path, 'many.jsonl');
    writeFileSync(file, rows.join('\n'));
    const controller = new AbortController();
    const datasetId = store.createDataset('cancel').id;
    const report = await store.importPath(datasetId, file, {
      batchSize: 4,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.imported >= 8) controller.abort();
      },
    });
    expect(report.cancelled).toBe(true);
    expect(report.imported).toBe(8);
    expect(store.countSamples(datasetId)).toBe(8);
  });
});

describe('CSV import', () => {
  it('reads image,question,answer with quoting, and reports bad rows', async () => {
    copyFileSync(join(PHOTOS, 'rocket.jpg'), join(work.path, 'rocket.jpg'));
    const csv = [
      'image,question,answer,split',
      'rocket.jpg,"What is it, exactly?","A rocket, on a ""pad"".",test',
      'rocket.jpg,"Two',
      'lines?",Yes,',
      'nothing.jpg,Q,A,',
      ',Q,A,',
      'rocket.jpg,Unanswered?,,',
    ].join('\r\n');
    const file = join(work.path, 'qa.csv');
    writeFileSync(file, csv);
    const datasetId = store.createDataset('csv').id;
    const report = await store.importPath(datasetId, file);
    expect(reasons(report)).toEqual({
      'qa.csv:row 5': expect.stringMatching(/^images\[0\]: file not found/),
      'qa.csv:row 6': expect.stringMatching(/empty image path/),
    });
    const samples = store.pageSamples({ datasetId }).items.map((s) => store.getSample(s.id)!);
    expect(samples.map((s) => [s.turns[0]!.user, s.turns[0]!.assistant, s.split, s.status])).toEqual([
      ['What is it, exactly?', 'A rocket, on a "pad".', 'test', 'done'],
      ['Two\r\nlines?', 'Yes', 'train', 'done'],
      ['Unanswered?', '', 'train', 'todo'],
    ]);
  });

  it('reports a header without the needed columns', async () => {
    const file = join(work.path, 'bad.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const report = await store.importPath(store.createDataset('bad').id, file);
    expect(reasons(report)).toEqual({ 'bad.csv:row 1': 'header lacks column(s) image, question (expected image,question,answer)' });
  });
});
