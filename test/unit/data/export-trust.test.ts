// No silent loss in an export: it goes into a new or empty folder (an earlier export, or the
// folder a dataset came from, is replaced only when asked), it never hangs on a virtual
// filesystem, a cancel really stops it and leaves nothing behind, and an image damaged in the
// store is reported instead of exported.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import type { ExportReport } from '../../../src/shared/datasets';
import type { Job } from '../../../src/shared/jobs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { imageFilePath } from '../../../src/main/data/images/image-id';
import { generatedJpeg } from '../../helpers/data-fixtures';
import { makeTempDir } from '../../helpers/temp-dir';

let temp: { path: string; remove(): void };
let core: StudioCore;
let datasetId: number;
const imageIds: string[] = [];

const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;
const failure = (method: string, input: unknown) =>
  core.call(method, input).then(
    () => undefined,
    (e: unknown) => e as ApiError,
  );
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function exportTo(outDir: string, extra: Record<string, unknown> = {}): Promise<Job> {
  const job = await call<Job>('datasets.export', { datasetId, outDir, format: 'jsonl', ...extra });
  return core.jobs.settled(job.id);
}

beforeEach(async () => {
  temp = makeTempDir('studio-export-trust-');
  core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
  datasetId = (await call<{ id: number }>('datasets.create', { name: 'source' })).id;
  imageIds.length = 0;
  for (let i = 0; i < 3; i++) {
    const { id } = await call<{ id: string }>('images.add', { dataBase64: (await generatedJpeg(10 + i)).toString('base64') });
    imageIds.push(id);
    await call('samples.create', { datasetId, sample: { imageIds: [id], turns: [{ user: `q${i}`, assistant: `a${i}` }] } });
  }
});
afterEach(() => {
  core.close();
  temp.remove();
});

describe('export destination', () => {
  it('refuses a folder that holds an earlier export, and replaces it only when asked', async () => {
    const out = join(temp.path, 'out');
    expect((await exportTo(out)).status).toBe('done');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const before = sha(join(out, 'data.jsonl'));
    await call('samples.create', { datasetId, sample: { imageIds: [imageIds[0]], turns: [{ user: 'new', assistant: 'one' }] } });
    const refused = await failure('datasets.export', { datasetId, outDir: out, format: 'jsonl' });
    expect(refused).toMatchObject({ code: 'conflict' });
    expect(refused!.message).toMatch(/already holds data\.jsonl; export into a new or empty folder, or choose to overwrite/);
    expect(sha(join(out, 'data.jsonl'))).toBe(before);
    const replaced = await exportTo(out, { overwrite: true });
    expect(replaced.status).toBe('done');
    expect(readFileSync(join(out, 'data.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('never overwrites the folder a dataset was imported from', async () => {
    const source = join(temp.path, 'source');
    expect((await exportTo(source)).status).toBe('done');
    const copyId = (await call<{ id: number }>('datasets.create', { name: 'copy' })).id;
    await core.jobs.settled((await call<Job>('datasets.import', { datasetId: copyId, path: join(source, 'data.jsonl') })).id);
    const before = sha(join(source, 'data.jsonl'));
    const refused = await failure('datasets.export', { datasetId: copyId, outDir: source, format: 'sharegpt' });
    expect(refused?.code).toBe('conflict');
    expect(sha(join(source, 'data.jsonl'))).toBe(before);
  });

  it('refuses a virtual filesystem at once instead of looping there, and the data folder', async () => {
    const proc = await failure('datasets.export', { datasetId, outDir: '/proc/nanovlm-studio-export/x', format: 'jsonl' });
    expect(proc).toMatchObject({ code: 'invalid_input' });
    expect(proc!.message).toContain('is on a virtual filesystem (proc)');
    const inData = await failure('datasets.export', { datasetId, outDir: join(temp.path, 'data', 'exports'), format: 'jsonl' });
    expect(inData?.message).toMatch(/data folder .* is not a place for exports/);
  });
});

describe('export job', () => {
  it('stops on cancel and leaves neither the folder nor its staging files', async () => {
    const out = join(temp.path, 'cancelled');
    const job = await call<Job>('datasets.export', { datasetId, outDir: out, format: 'parquet' });
    await call('jobs.cancel', { id: job.id });
    const ended = await core.jobs.settled(job.id);
    expect(ended.status).toBe('cancelled');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('reports a sample whose image is damaged in the store instead of exporting the damage', async () => {
    const path = imageFilePath(join(temp.path, 'data'), imageIds[1]!);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(path, bytes);
    const done = await exportTo(join(temp.path, 'damaged'));
    const report = done.result as ExportReport;
    expect(report.samples).toBe(2);
    expect(report.skipped).toEqual([
      { sampleId: expect.any(Number), reason: expect.stringMatching(/^image [0-9a-f]{12}… is damaged: .* no longer matches its checksum$/) },
    ]);
    expect(readdirSync(join(temp.path, 'damaged', 'images'))).toHaveLength(2);
  });
});
