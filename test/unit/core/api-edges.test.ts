// The API at its edges, through the real core and database: a search made of punctuation matches
// literally (never "everything"), bulk actions refuse a filter that no longer matches what the
// person saw, a bad cursor or a missing dataset is an input error or a 404 (never a 500 or an
// empty 200), and every text has a length limit, named when it is passed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { MAX_TURN_TEXT_CHARS } from '../../../src/shared/limits';
import type { ImportReport, Sample } from '../../../src/shared/datasets';
import type { Job } from '../../../src/shared/jobs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { generatedJpeg } from '../../helpers/data-fixtures';
import { makeTempDir } from '../../helpers/temp-dir';

const QUESTIONS = ['What is in the box (left)?', 'Is the "lid" open?', 'What colour is the car?', 'How many cats?', 'Where is the (red) ball?', 'What is it?'];

describe('API edges', () => {
  const temp = makeTempDir('studio-api-edges-');
  let core: StudioCore;
  let datasetId: number;
  let imageId: string;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;
  const failure = (method: string, input: unknown) =>
    core.call(method, input).then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );

  beforeAll(async () => {
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'edges' })).id;
    imageId = (await call<{ id: string }>('images.add', { dataBase64: (await generatedJpeg(3)).toString('base64') })).id;
    for (const q of QUESTIONS) await call('samples.create', { datasetId, sample: { imageIds: [imageId], turns: [{ user: q, assistant: 'yes' }] } });
  });

  afterAll(() => {
    core.close();
    temp.remove();
  });

  const count = async (text: string) => (await call<{ count: number }>('samples.count', { datasetId, filter: { text } })).count;

  it('matches a search made of punctuation literally, never as "no filter"', async () => {
    expect(await count('(')).toBe(2);
    expect(await count('"')).toBe(1);
    expect(await count('()')).toBe(0);
    expect(await count('%')).toBe(0);
    expect(await count('(red)')).toBe(1);
    expect(await count('ca')).toBe(2); // words still by prefix: "car", "cats"
    expect(await count('   ')).toBe(QUESTIONS.length);
  });

  it('deletes exactly what a punctuation filter shows, and refuses a filter whose count changed', async () => {
    const stale = await failure('samples.delete', { selection: { datasetId, filter: { text: '(' }, expectedCount: 6 } });
    expect(stale?.code).toBe('conflict');
    expect(stale?.message).toMatch(/now matches 2 sample\(s\), not the 6 shown/);
    expect(await count('')).toBe(QUESTIONS.length);
    const unsized = await failure('samples.bulkUpdate', { selection: { datasetId, filter: { text: '(' } }, change: { status: 'review' } });
    expect(unsized?.code).toBe('invalid_input');
    expect(unsized?.field).toMatch(/^selection/);
    const { deleted, undoToken } = await call<{ deleted: number; undoToken: string }>('samples.delete', {
      selection: { datasetId, filter: { text: '(' }, expectedCount: 2 },
    });
    expect(deleted).toBe(2);
    expect(await count('')).toBe(QUESTIONS.length - 2);
    await call('samples.restore', { undoToken });
    const { updated } = await call<{ updated: number }>('samples.bulkUpdate', {
      selection: { datasetId, filter: { text: '"' }, expectedCount: 1 },
      change: { status: 'review' },
    });
    expect(updated).toBe(1);
  });

  it('answers a bad page cursor as invalid input naming the field', async () => {
    const err = await failure('samples.page', { datasetId, cursor: 'abc' });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'cursor' });
  });

  it.each([
    ['samples.page', { datasetId: 999 }],
    ['samples.count', { datasetId: 999 }],
    ['datasets.assignSplits', { datasetId: 999, ratios: { train: 8, val: 1, test: 1 }, seed: 1 }],
    ['datasets.splitLeaks', { datasetId: 999 }],
    ['datasets.versions', { datasetId: 999 }],
    ['datasets.createVersion', { datasetId: 999 }],
    ['samples.delete', { selection: { datasetId: 999, ids: [1] } }],
  ])('answers %s on a missing dataset with not_found', async (method, input) => {
    const err = await failure(method, input);
    expect(err).toMatchObject({ code: 'not_found', message: 'no dataset with id 999' });
  });

  it('refuses a text over the limit with the field named, in the API and in an import', async () => {
    const long = 'x'.repeat(MAX_TURN_TEXT_CHARS + 1);
    const created = await failure('samples.create', { datasetId, sample: { imageIds: [imageId], turns: [{ user: long, assistant: '' }] } });
    expect(created).toMatchObject({ code: 'invalid_input', field: 'sample.turns.0.user' });
    const [first] = (await call<{ items: { id: number }[] }>('samples.page', { datasetId, limit: 1 })).items;
    const updated = await failure('samples.update', { id: first!.id, patch: { turns: [{ user: 'ok', assistant: long }] } });
    expect(updated).toMatchObject({ code: 'invalid_input', field: 'patch.turns.0.assistant' });
    expect((await call<Sample>('samples.get', { id: first!.id })).turns[0]!.assistant).toBe('yes');

    writeFileSync(join(temp.path, 'p.jpg'), await generatedJpeg(4));
    writeFileSync(
      join(temp.path, 'rows.jsonl'),
      [
        JSON.stringify({ images: ['p.jpg'], texts: [{ user: 'fine', assistant: 'ok' }] }),
        JSON.stringify({ images: ['p.jpg'], texts: [{ user: 'ok', assistant: 'a'.repeat(10_000_000) }] }),
        JSON.stringify({ images: ['p.jpg'], texts: [{ user: 'tagged', assistant: 'ok' }], tags: ['t'.repeat(65)] }),
      ].join('\n'),
    );
    const importInto = (await call<{ id: number }>('datasets.create', { name: 'limits' })).id;
    const job = await call<Job>('datasets.import', { datasetId: importInto, path: join(temp.path, 'rows.jsonl') });
    const report = (await core.jobs.settled(job.id)).result as ImportReport;
    expect(report.issues).toEqual([
      { where: 'rows.jsonl:line 2', reason: `texts[0].assistant: 10,000,000 characters (the limit is ${MAX_TURN_TEXT_CHARS.toLocaleString('en')})` },
      { where: 'rows.jsonl:line 3', reason: 'tags[0]: 65 characters (the limit is 64)' },
    ]);
    expect(report.imported).toBe(1);
  });
});
