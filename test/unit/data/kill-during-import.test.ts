// A real child process killed with SIGKILL in the middle of an import: the database must be
// consistent and hold every sample that was reported imported, each with its image file.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatasetStore } from '../../../src/main/data/dataset-store';
import { generatedJpeg, tempDir } from '../../helpers/data-fixtures';

const ROWS = 300;
let work: { path: string; remove: () => void };

beforeAll(async () => {
  work = tempDir('nanovlm-kill-');
  const rows: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    writeFileSync(join(work.path, `g${i}.jpg`), await generatedJpeg(i, 160, 120));
    rows.push(JSON.stringify({ images: [`g${i}.jpg`], texts: [{ user: `question ${i}`, assistant: `answer ${i}` }] }));
  }
  writeFileSync(join(work.path, 'rows.jsonl'), rows.join('\n'));
});
afterAll(() => work.remove());

/** Runs the child until it has reported `atLeast` samples imported, then kills it; returns the last count it reported. */
function importThenKill(dataDir: string, atLeast: number): Promise<{ reported: number; finished: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/helpers/data-import-child.ts'), dataDir, join(work.path, 'rows.jsonl')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let reported = 0;
  let finished = false;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const m = /^imported (\d+)$/.exec(line);
      if (m) reported = Number(m[1]);
      if (line === 'done') finished = true;
    }
    if (reported >= atLeast && !finished) child.kill('SIGKILL');
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL' && !finished) fail(new Error(`child exited without being killed (${signal ?? _code})`));
      else done({ reported, finished });
    });
  });
}

it('keeps the database consistent and every reported sample after kill -9 mid-import', async () => {
  const dataDir = join(work.path, 'data');
  const { reported, finished } = await importThenKill(dataDir, 40);
  expect(finished).toBe(false);
  expect(reported).toBeGreaterThanOrEqual(40);

  const store = DatasetStore.open(dataDir);
  try {
    const db = store.db;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.prepare("INSERT INTO sample_search(sample_search) VALUES ('integrity-check')").run();
    const datasetId = store.datasets.findByName('killed')!;
    const count = store.countSamples(datasetId);
    expect(count).toBeGreaterThanOrEqual(reported);
    expect(count).toBeLessThan(ROWS);
    expect(count % 5).toBe(0); // whole batches only
    const searchRows = db.prepare('SELECT count(*) AS n FROM sample_search').get() as { n: number };
    expect(searchRows.n).toBe(count);
    const imageIds = db.prepare('SELECT DISTINCT image_id FROM sample_images').all() as { image_id: string }[];
    expect(imageIds).toHaveLength(count);
    for (const { image_id } of imageIds) expect(existsSync(store.imageFilePath(image_id))).toBe(true);

    // Importing again completes the dataset; what was already there is flagged, not lost.
    const report = await store.importPath(datasetId, join(work.path, 'rows.jsonl'));
    expect(report.imported).toBe(ROWS);
    expect(report.duplicates).toBe(count);
    expect(report.newImages).toBe(ROWS - count);
  } finally {
    store.close();
  }
});
