// Datasets, samples, images and models through the core's API, as the renderer calls them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import type { DatasetSummary, ImportReport, SamplePage } from '../../../src/shared/datasets';
import type { ModelInfo } from '../../../src/shared/models';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { photo, PHOTOS } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('datasets and models through the API', () => {
  const temp = makeTempDir();
  let core: StudioCore;

  beforeAll(() => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
  });
  afterAll(() => {
    core.close();
    temp.remove();
  });

  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  it('imports a folder of photos as a job, reporting the awkward files', async () => {
    const dataset = await call<DatasetSummary>('datasets.create', { name: 'photos' });
    const job = await call<Job>('datasets.import', { datasetId: dataset.id, path: PHOTOS });
    const ended = await core.jobs.settled(job.id);
    expect(ended.status).toBe('done');
    const report = ended.result as ImportReport;
    expect(report.imported).toBeGreaterThanOrEqual(8);
    expect(report.issues.map((i) => i.where)).toEqual(expect.arrayContaining(['truncated.jpg']));
    const page = await call<SamplePage>('samples.page', { datasetId: dataset.id, limit: 50 });
    expect(page.items.length).toBe(report.imported);
    const jumped = await call<SamplePage>('samples.page', { datasetId: dataset.id, limit: 2, offset: 3 });
    expect(jumped.items.map((s) => s.id)).toEqual(page.items.slice(3, 5).map((s) => s.id));
    const thumb = await core.media('thumb', page.items[0]!.imageIds[0]!);
    expect(thumb?.contentType).toBe('image/webp');
  });

  it('refuses bad input naming the field, and unknown ids with not_found', async () => {
    await expect(call('datasets.import', { datasetId: 1, path: 'relative/path' })).rejects.toMatchObject({ code: 'invalid_input', field: 'path' });
    await expect(call('samples.get', { id: 999_999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('datasets.create', { name: 'photos' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('stores an uploaded image once, by content', async () => {
    const dataBase64 = photo('chelsea.png').toString('base64');
    const first = await call<{ id: string }>('images.add', { dataBase64 });
    const second = await call<{ id: string }>('images.add', { dataBase64 });
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(second.id).toBe(first.id);
    expect((await core.media('image', first.id))?.contentType).toBe('image/png');
    await expect(call('images.add', { dataBase64: Buffer.from('not an image').toString('base64') })).rejects.toThrow();
  });

  it('adds a local model folder as a job and lists it with family and size', async () => {
    const folder = fixtureModelFolder('split');
    const job = await call<Job>('models.add', { reference: folder });
    const ended = await core.jobs.settled(job.id);
    expect(ended.error).toBeUndefined();
    const model = ended.result as ModelInfo;
    expect(model).toMatchObject({ source: 'folder', family: 'split', folder });
    expect(model.parameters).toBeGreaterThan(100_000);
    expect((await call<ModelInfo[]>('models.list', {})).map((m) => m.id)).toContain(model.id);
    await call('models.remove', { id: model.id });
    expect((await call<ModelInfo[]>('models.list', {})).map((m) => m.id)).not.toContain(model.id);
  });

  it('fails a model job with the checkpoint error', async () => {
    const job = await call<Job>('models.add', { reference: temp.path });
    expect(await core.jobs.settled(job.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/config\.json|model\.safetensors/) });
  });
});

describe('dataset lookups', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  beforeAll(() => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
  });
  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('gets one dataset, lists its tags by use, and names a bad upload', async () => {
    const dataset = (await core.call('datasets.create', { name: 'tagged' })) as DatasetSummary;
    const image = (await core.call('images.add', { dataBase64: photo('coffee.png').toString('base64') })) as { id: string };
    for (const tags of [['cup', 'brown'], ['cup']]) {
      await core.call('samples.create', { datasetId: dataset.id, sample: { imageIds: [image.id], turns: [{ user: 'q', assistant: 'a' }], tags } });
    }
    expect(await core.call('datasets.get', { id: dataset.id })).toMatchObject({ name: 'tagged', sampleCount: 2 });
    expect(await core.call('datasets.tags', { datasetId: dataset.id })).toEqual([
      { tag: 'cup', count: 2 },
      { tag: 'brown', count: 1 },
    ]);
    await expect(core.call('images.add', { name: 'notes.txt', dataBase64: Buffer.from('hello').toString('base64') })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('"notes.txt"'),
    });
  });
});
