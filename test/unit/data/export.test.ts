// Export to JSONL (VQA and ShareGPT layouts) and Parquet (the_cauldron layout), and back again:
// data made here goes to a cluster and comes back without loss.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../src/main/data/dataset-store';
import { CAULDRON_SCHEMA } from '../../../src/main/data/export/export-parquet';
import { photo, tempDir, tempStore } from '../../helpers/data-fixtures';

let store: DatasetStore;
let closeStore: () => void;
let work: { path: string; remove: () => void };

beforeEach(() => {
  ({ store, close: closeStore } = tempStore());
  work = tempDir('nanovlm-export-');
});
afterEach(() => {
  closeStore();
  work.remove();
});

async function buildDataset(): Promise<number> {
  const datasetId = store.createDataset('source').id;
  const cat = (await store.addImage(photo('chelsea.png'))).id;
  const rocket = (await store.addImage(photo('rocket.jpg'))).id;
  const grey = (await store.addImage(photo('chessboard_GRAY.png'))).id;
  store.createSample(datasetId, {
    imageIds: [cat],
    turns: [
      { user: 'Animal?', assistant: 'A cat.' },
      { user: 'Colour?', assistant: 'Ginger "tabby".' },
    ],
    tags: ['cat', 'pet'],
  });
  store.createSample(datasetId, { imageIds: [rocket, cat], turns: [{ user: 'Same?', assistant: 'No.', origin: 'model', model: 'm' }], split: 'val' });
  store.createSample(datasetId, { imageIds: [grey], turns: [{ user: 'Pattern?', assistant: 'Chessboard.' }], split: 'test', status: 'review' });
  store.createSample(datasetId, { imageIds: [rocket], turns: [{ user: 'Unanswered?', assistant: '' }] });
  store.createSample(datasetId, { imageIds: [grey], turns: [{ user: 'Rejected?', assistant: 'yes' }], status: 'rejected' });
  return datasetId;
}

/** What must survive a round trip: images, texts, split (and status and tags where the format keeps them). */
function contentOf(datasetId: number, full: boolean): unknown[] {
  return store.pageSamples({ datasetId }).items.map((s) => {
    const sample = store.getSample(s.id)!;
    const base = { images: sample.images.map((i) => i.id), texts: sample.turns.map((t) => [t.user, t.assistant]), split: sample.split };
    return full ? { ...base, status: sample.status, tags: sample.tags } : base;
  });
}

describe('JSONL export', () => {
  for (const format of ['jsonl', 'sharegpt'] as const) {
    it(`${format}: round-trips through export and import`, async () => {
      const source = await buildDataset();
      const report = await store.exportDataset(source, work.path, format);
      expect(report).toMatchObject({ samples: 5, images: 3, skipped: [] });
      expect(readdirSync(join(work.path, 'images')).sort()).toHaveLength(3);
      const first = JSON.parse(readFileSync(join(work.path, 'data.jsonl'), 'utf8').split('\n')[0]!);
      if (format === 'jsonl') expect(first.texts[0]).toEqual({ user: 'Animal?', assistant: 'A cat.' });
      else expect(first.messages[0]).toEqual({ role: 'user', content: '<image>Animal?' });
      const copy = store.createDataset(`copy-${format}`).id;
      const back = await store.importPath(copy, join(work.path, 'data.jsonl'));
      expect(back.issues).toEqual([]);
      expect(contentOf(copy, true)).toEqual(contentOf(source, true));
    });
  }
});

describe('Parquet export', () => {
  it('writes the_cauldron layout per split, which reads back as nanoVLM expects and re-imports', async () => {
    const source = await buildDataset();
    const report = await store.exportDataset(source, work.path, 'parquet');
    expect(report.samples).toBe(3);
    expect(report.skipped.map((s) => s.reason).sort()).toEqual(['a turn has no answer yet', 'rejected']);
    expect(readdirSync(join(work.path, 'data')).sort()).toEqual([
      'test-00000-of-00001.parquet',
      'train-00000-of-00001.parquet',
      'validation-00000-of-00001.parquet',
    ]);
    const trainFile = join(work.path, 'data', 'train-00000-of-00001.parquet');
    const file = await asyncBufferFromFile(trainFile);
    const metadata = await parquetMetadataAsync(file);
    const schema = parquetSchema(metadata);
    expect(schema.children.map((c) => c.element.name)).toEqual(['images', 'texts']);
    const imageStruct = schema.children[0]!.children[0]!.children[0]!;
    expect(imageStruct.children.map((c) => [c.element.name, c.element.type])).toEqual([
      ['bytes', 'BYTE_ARRAY'],
      ['path', 'BYTE_ARRAY'],
    ]);
    const hf = JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === 'huggingface')!.value!);
    expect(hf.info.features.images).toEqual({ feature: { _type: 'Image' }, _type: 'Sequence' });
    const rows = await parquetReadObjects({ file, utf8: false });
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.images[0].bytes).equals(photo('chelsea.png'))).toBe(true);
    expect(rows[0]!.texts).toEqual([
      { user: 'Animal?', assistant: 'A cat.' },
      { user: 'Colour?', assistant: 'Ginger "tabby".' },
    ]);

    const copy = store.createDataset('copy').id;
    for (const name of readdirSync(join(work.path, 'data'))) {
      const back = await store.importPath(copy, join(work.path, 'data', name));
      expect(back.issues).toEqual([]);
    }
    const trainable = (contentOf(source, false) as { texts: string[][] }[]).filter((s) => s.texts[0]![1] && s.texts[0]![0] !== 'Rejected?');
    const sorted = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort();
    expect(sorted(contentOf(copy, false))).toEqual(sorted(trainable));
  });

  it('reports a Parquet file with the wrong schema, and bad rows by row number', async () => {
    const wrong = join(work.path, 'wrong.parquet');
    parquetWriteFile({
      filename: wrong,
      columnData: [
        { name: 'question', data: ['q'], type: 'STRING' },
        { name: 'answer', data: ['a'], type: 'STRING' },
      ],
    });
    const datasetId = store.createDataset('pq').id;
    const r1 = await store.importPath(datasetId, wrong);
    expect(r1.issues).toEqual([
      { where: 'wrong.parquet', reason: expect.stringMatching(/^wrong schema: expected columns "images".*found "question", "answer"$/) },
    ]);

    const mixed = join(work.path, 'train-mixed.parquet');
    const good = { bytes: new Uint8Array(photo('coffee.png')), path: 'coffee.png' };
    const data = [
      { images: [good], texts: [{ user: 'Q1', assistant: 'A1' }] },
      { images: [{ bytes: new Uint8Array([1, 2, 3]), path: 'x.png' }], texts: [{ user: 'Q2', assistant: 'A2' }] },
      { images: [], texts: [{ user: 'Q3', assistant: 'A3' }] },
      { images: [good], texts: [{ user: 'Q4', assistant: 'A4' }] },
    ];
    parquetWriteFile({
      filename: mixed,
      columnData: [
        { name: 'images', data: data.map((d) => d.images) },
        { name: 'texts', data: data.map((d) => d.texts) },
      ],
      schema: CAULDRON_SCHEMA,
    });
    const r2 = await store.importPath(datasetId, mixed);
    expect(r2.issues).toEqual([
      { where: 'train-mixed.parquet:row 2', reason: 'images[0]: not an image (unrecognised format)' },
      { where: 'train-mixed.parquet:row 3', reason: 'no image' },
    ]);
    expect(r2.imported).toBe(2);
    expect(store.countSamples(datasetId, { split: ['train'] })).toBe(2);
  });

  it('reads GZIP-compressed Parquet (Hub datasets are not always Snappy)', async () => {
    const gzipped = join(work.path, 'gzip.parquet');
    const data = [{ images: [{ bytes: new Uint8Array(photo('rocket.jpg')), path: 'rocket.jpg' }], texts: [{ user: 'What is it?', assistant: 'a rocket' }] }];
    parquetWriteFile({
      filename: gzipped,
      columnData: [
        { name: 'images', data: data.map((d) => d.images) },
        { name: 'texts', data: data.map((d) => d.texts) },
      ],
      schema: CAULDRON_SCHEMA,
      codec: 'GZIP',
      compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    });
    const report = await store.importPath(store.createDataset('gz').id, gzipped);
    expect(report.issues).toEqual([]);
    expect(report.imported).toBe(1);
  });
});
