// Work cut short by a crash is reported and cleaned up at the next start: the job is listed as
// interrupted, the staging folder it named is removed, and image files an import had written
// without committing their rows are swept away.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import { createStudioCore } from '../../../src/main/core/studio-core';
import { DATABASE_FILE, openDatabase } from '../../../src/main/data/database';
import { imageFilePath, imageIdOf, thumbnailFilePath } from '../../../src/main/data/images/image-id';
import { generatedJpeg, tempDir } from '../../helpers/data-fixtures';

let work: { path: string; remove: () => void };
beforeEach(() => {
  work = tempDir('nanovlm-interrupted-');
});
afterEach(() => work.remove());

/** Every file under images/ that no images row names. */
function orphans(dataDir: string): string[] {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const known = db.prepare('SELECT 1 FROM images WHERE id = ?');
    const found: string[] = [];
    for (const shard of readdirSync(join(dataDir, 'images'))) {
      for (const name of readdirSync(join(dataDir, 'images', shard))) if (!known.get(shard + name)) found.push(join(shard, name));
    }
    return found;
  } finally {
    db.close();
  }
}

it('lists a job the studio died in as interrupted, removes its staging folder and the files no row names', async () => {
  const dataDir = join(work.path, 'data');
  mkdirSync(dataDir);
  openDatabase(dataDir).close();
  // the state a kill -9 leaves: a journal row still running, its staging folder, staged images
  const staging = join(work.path, '.out.export-1a2b3c.partial');
  mkdirSync(join(staging, 'images'), { recursive: true });
  writeFileSync(join(staging, 'data.jsonl'), '{"half": ');
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.prepare(
    "INSERT INTO job_journal (id, kind, label, status, started_at, leftovers) VALUES (?, 'export', 'Export pets as jsonl', 'running', ?, json_array(?))",
  ).run('7d3f1c1e-0000-4000-8000-000000000001', Date.now() - 60_000, staging);
  db.prepare("INSERT INTO job_journal (id, kind, label, status, started_at) VALUES (?, 'import', 'Import /photos into pets', 'running', ?)").run(
    '7d3f1c1e-0000-4000-8000-000000000002',
    Date.now() - 50_000,
  );
  db.close();
  const bytes = await generatedJpeg(5);
  const staged = [imageFilePath(dataDir, imageIdOf(bytes)), thumbnailFilePath(dataDir, imageIdOf(bytes))];
  for (const path of staged) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  }

  const core = createStudioCore({ dataDir, door: 'web' });
  try {
    const jobs = (await core.call('jobs.list', {})) as Job[];
    expect(jobs.map((j) => [j.label, j.status, j.error])).toEqual([
      ['Import /photos into pets', 'failed', 'interrupted: the studio stopped while this was running; the samples it had reported imported are kept'],
      ['Export pets as jsonl', 'failed', 'interrupted: the studio stopped while this was running; its unfinished files were removed'],
    ]);
    expect(readdirSync(work.path).filter((f) => f.includes('.partial'))).toEqual([]);
    expect(await core.sweepOrphanFiles()).toEqual({ files: 2, bytes: 2 * bytes.length });
    expect(orphans(dataDir)).toEqual([]);
  } finally {
    core.close();
  }
});

it('after a real kill -9 in an import job: reported as interrupted, nothing staged left, every reported sample kept', async () => {
  const rows: string[] = [];
  for (let i = 0; i < 200; i++) {
    writeFileSync(join(work.path, `g${i}.jpg`), await generatedJpeg(i, 160, 120));
    rows.push(JSON.stringify({ images: [`g${i}.jpg`], texts: [{ user: `question ${i}`, assistant: `answer ${i}` }] }));
  }
  writeFileSync(join(work.path, 'rows.jsonl'), rows.join('\n'));
  const dataDir = join(work.path, 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/helpers/core-import-child.ts'), dataDir, join(work.path, 'rows.jsonl')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let reported = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    for (const m of chunk.matchAll(/imported (\d+)/g)) reported = Math.max(reported, Number(m[1]));
    if (reported >= 64) child.kill('SIGKILL');
  });
  await new Promise((r) => child.on('exit', r));
  expect(reported).toBeGreaterThanOrEqual(64);

  const core = createStudioCore({ dataDir, door: 'web' });
  try {
    const [job] = (await core.call('jobs.list', {})) as Job[];
    expect(job).toMatchObject({ kind: 'import', status: 'failed', error: expect.stringMatching(/^interrupted: the studio stopped while this was running/) });
    await core.sweepOrphanFiles();
    expect(orphans(dataDir)).toEqual([]);
    const [dataset] = (await core.call('datasets.list', {})) as { sampleCount: number }[];
    expect(dataset!.sampleCount).toBeGreaterThanOrEqual(reported);
  } finally {
    core.close();
  }
});
