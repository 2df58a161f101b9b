// The browser door's way in and out for files (issue 14): an import from files uploaded in chunks
// (a JSONL with its images folder; one photo on its own), an export as a .zip to download, an ONNX
// export to a folder of the person's choice or as a download, and the web door serving a download
// only to the token. Paths that could leave the upload folder, chunks out of order and files
// growing past their declared size are refused.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportReport, ImportReport } from '../../../src/shared/datasets';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { zipFolder } from '../../../src/main/core/zip-archive';
import { startWebDoor, type WebDoor } from '../../../src/main/web/server';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';
import { readZip } from '../../helpers/zip-reader';

const TOKEN = 'test-token-0123456789abcdef';

describe('uploads and downloads', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let door: WebDoor;
  let datasetId: number;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  async function upload(files: Record<string, Buffer>, chunk = 100_000): Promise<string> {
    const { uploadId } = await call<{ uploadId: string }>('uploads.begin', {
      files: Object.entries(files).map(([path, data]) => ({ path, bytes: data.length })),
    });
    for (const [path, data] of Object.entries(files)) {
      for (let offset = 0; offset < data.length; offset += chunk) {
        await call('uploads.write', { uploadId, path, offset, dataBase64: data.subarray(offset, offset + chunk).toString('base64') });
      }
    }
    return uploadId;
  }

  beforeAll(async () => {
    const rendererDir = join(temp.path, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
    door = await startWebDoor({ core, token: TOKEN, rendererDir });
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'Uploaded' })).id;
  });

  afterAll(async () => {
    await door.close();
    core.close();
    temp.remove();
  });

  it('zips a folder that reads back byte for byte', async () => {
    const folder = join(temp.path, 'to-zip');
    mkdirSync(join(folder, 'images'), { recursive: true });
    writeFileSync(join(folder, 'data.jsonl'), '{"a":1}\n'.repeat(1000));
    writeFileSync(join(folder, 'images', 'cat.png'), photo('chelsea.png'));
    const zip = join(temp.path, 'out.zip');
    await zipFolder(folder, zip, { prefix: 'export' });
    const files = readZip(zip);
    expect([...files.keys()]).toEqual(['export/data.jsonl', 'export/images/cat.png']);
    expect(files.get('export/images/cat.png')).toEqual(photo('chelsea.png'));
    expect(files.get('export/data.jsonl')!.toString()).toBe('{"a":1}\n'.repeat(1000));
    expect(readFileSync(zip).length).toBeLessThan(1000 * 8 + photo('chelsea.png').length);
  });

  it('imports a JSONL uploaded with its images folder, in chunks, then forgets the upload', async () => {
    const jsonl = ['cat.png', 'coffee.png']
      .map((f, i) => JSON.stringify({ images: [`images/${f}`], texts: [{ user: `Q${i}?`, assistant: `A${i}.` }] }))
      .join('\n');
    const uploadId = await upload(
      { 'vqa/train.jsonl': Buffer.from(jsonl), 'vqa/images/cat.png': photo('chelsea.png'), 'vqa/images/coffee.png': photo('coffee.png') },
      64 * 1024,
    );
    const job = await call<Job>('datasets.import', { datasetId, uploadId });
    const done = await core.jobs.settled(job.id);
    expect(done.error).toBeUndefined();
    expect(done.result).toMatchObject({ imported: 2, skipped: 0 });
    expect(readdirSync(join(temp.path, 'data', 'uploads'))).toEqual([]);
    await expect(call('uploads.write', { uploadId, path: 'vqa/train.jsonl', offset: 0, dataBase64: '' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('imports one photo, uploaded or by path (no longer "unknown import format")', async () => {
    const uploadId = await upload({ 'astronaut.png': photo('astronaut.png') });
    const done = await core.jobs.settled((await call<Job>('datasets.import', { datasetId, uploadId })).id);
    expect(done.result).toMatchObject({ imported: 1, format: 'image' });
    // a photo with its .json sidecar: the sidecar is read with it, not imported as data
    const sidecar = JSON.stringify({ texts: [{ user: 'Who is this?', assistant: 'An astronaut.' }] });
    const withSidecar = await upload({ 'pair/eileen.png': photo('astronaut.png'), 'pair/eileen.json': Buffer.from(sidecar) });
    const paired = await core.jobs.settled((await call<Job>('datasets.import', { datasetId, uploadId: withSidecar })).id);
    expect(paired.result).toMatchObject({ imported: 1, skipped: 0, format: 'folder' });
    const path = join(temp.path, 'rocket.jpg');
    writeFileSync(path, photo('rocket.jpg'));
    writeFileSync(join(temp.path, 'rocket.txt'), 'A rocket at launch.');
    const byPath = await core.jobs.settled((await call<Job>('datasets.import', { datasetId, path })).id);
    expect(byPath.result as ImportReport).toMatchObject({ imported: 1, format: 'image' });
    await expect(call('datasets.import', { datasetId })).rejects.toMatchObject({ code: 'invalid_input', field: 'path' });
  });

  it('refuses paths that leave the upload folder, chunks out of place and files past their size', async () => {
    for (const path of ['../escape.txt', '/etc/passwd', 'a/../../b', 'a\\b', 'C:/x', '', 'a//b']) {
      await expect(call('uploads.begin', { files: [{ path, bytes: 1 }] })).rejects.toMatchObject({ code: 'invalid_input' });
    }
    const { uploadId } = await call<{ uploadId: string }>('uploads.begin', { files: [{ path: 'a.txt', bytes: 4 }] });
    await expect(call('uploads.write', { uploadId, path: 'a.txt', offset: 2, dataBase64: 'YWI=' })).rejects.toMatchObject({
      code: 'conflict',
      field: 'offset',
    });
    await expect(call('uploads.write', { uploadId, path: 'a.txt', offset: 0, dataBase64: Buffer.from('abcde').toString('base64') })).rejects.toMatchObject({
      field: 'dataBase64',
    });
    await expect(call('uploads.write', { uploadId, path: 'b.txt', offset: 0, dataBase64: 'YQ==' })).rejects.toMatchObject({ field: 'path' });
    await expect(call('datasets.import', { datasetId, uploadId })).rejects.toMatchObject({ code: 'conflict' });
    await call('uploads.discard', { uploadId });
  });

  it('exports as a .zip to download, served by the web door to the token only', async () => {
    const job = await call<Job>('datasets.export', { datasetId, format: 'jsonl' });
    const done = await core.jobs.settled(job.id);
    expect(done.error).toBeUndefined();
    const report = done.result as ExportReport;
    expect(report.download).toMatchObject({ fileName: 'Uploaded-jsonl.zip' });
    expect(report.samples).toBe(5);
    const url = `${door.origin}/api/download/${report.download!.id}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${door.origin}/api/download/${'0'.repeat(64)}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const response = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''Uploaded-jsonl.zip");
    const zip = join(temp.path, 'download.zip');
    writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
    const files = readZip(zip);
    const data = [...files.keys()].find((k) => k.endsWith('.jsonl'))!;
    expect(data.startsWith('Uploaded-jsonl/')).toBe(true);
    expect(files.get(data)!.toString().trim().split('\n')).toHaveLength(5);
    expect([...files.keys()].filter((k) => k.includes('/images/'))).toHaveLength(4);
  });

  it("exports a model to ONNX into a folder of the person's choice, or as a download", async () => {
    const added = await core.jobs.settled((await call<Job>('models.add', { reference: fixtureModelFolder('split') })).id);
    const model = added.result as ModelInfo;
    const outDir = join(temp.path, 'my-exports');
    const copied = await core.jobs.settled((await call<Job>('models.export', { id: model.id, quant: 'int8', outDir })).id);
    expect(copied.error).toBeUndefined();
    const target = (copied.result as { copiedTo: string }).copiedTo;
    expect(target.startsWith(outDir)).toBe(true);
    expect(readdirSync(target)).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json']));
    expect(readdirSync(target).some((f) => f.endsWith('.onnx'))).toBe(true);
    const again = await core.jobs.settled((await call<Job>('models.export', { id: model.id, quant: 'int8', outDir })).id);
    expect(again.status).toBe('failed');
    expect(again.error).toMatch(/already exists/);
    const zipped = await core.jobs.settled((await call<Job>('models.export', { id: model.id, quant: 'int8', download: true })).id);
    const ticket = (zipped.result as { download: { id: string; fileName: string } }).download;
    expect(ticket.fileName).toMatch(/-onnx-int8\.zip$/);
    expect(existsSync(core.download(ticket.id)!.path)).toBe(true);
  });
});
