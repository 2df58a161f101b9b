// Datasets benchmark: importing 2,000 generated images (files/s), then the grid's page query and a
// text search over 100,000 samples (ms), and the start-up check of that database against a plain
// open. Prints figures; not a test. Run: tsx bench/data.ts
import Database from 'better-sqlite3';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, inspectDatabase } from '../src/main/data/database';
import type { DatasetStore } from '../src/main/data/dataset-store';
import { LATEST_SCHEMA_VERSION } from '../src/main/data/migrations';
import type { SampleQuery } from '../src/shared/datasets';
import { generatedJpeg, tempDir, tempStore } from '../test/helpers/data-fixtures';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 2000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100_000);
const WORDS = 'red blue green cat dog car tree sky road person table cup plane boat bird house window light water sign'.split(' ');

async function benchImport(store: DatasetStore, folder: string): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < IMAGES; i++) writeFileSync(join(folder, `img-${String(i).padStart(5, '0')}.jpg`), await generatedJpeg(i, 320, 240));
  const datasetId = store.createDataset('import-bench').id;
  const report = await store.importPath(datasetId, folder);
  console.log(
    `import: ${report.imported} images (320×240 JPEG) in ${report.seconds.toFixed(2)} s = ${(report.imported / report.seconds).toFixed(0)} files/s (validated by a full decode, thumbnail written, batches of 64)`,
  );
  return store.pageSamples({ datasetId, limit: 500 }).items.flatMap((s) => s.imageIds);
}

function seedSamples(store: DatasetStore, imageIds: string[]): number {
  const datasetId = store.createDataset('grid-bench').id;
  const started = performance.now();
  const word = (i: number, k: number) => WORDS[(i * 7 + k * 13 + (i >> k)) % WORDS.length]!;
  for (let start = 0; start < SAMPLES; start += 5000) {
    store.db.transaction(() => {
      for (let i = start; i < Math.min(SAMPLES, start + 5000); i++) {
        store.samples.insert(datasetId, {
          imageIds: [imageIds[i % imageIds.length]!],
          turns: [
            {
              user: `What is next to the ${word(i, 1)} ${word(i, 2)}? (#${i})`,
              assistant: `A ${word(i, 3)} ${word(i, 4)} near the ${word(i, 5)}.`,
              origin: i % 5 ? 'import' : 'model',
              model: 'm',
            },
          ],
          split: i % 10 === 0 ? 'val' : 'train',
          status: (['todo', 'draft', 'review', 'done', 'rejected'] as const)[i % 5]!,
          tags: i % 50 === 0 ? ['rare'] : [],
          source: null,
        });
      }
    })();
  }
  console.log(`seed: ${SAMPLES} samples inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return datasetId;
}

function median(label: string, fn: () => unknown, runs = 15): number {
  fn(); // warm the statement cache and the page cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} median ${times[runs >> 1]!.toFixed(2)} ms, max ${times[runs - 1]!.toFixed(2)} ms`);
  return times[runs >> 1]!;
}

function benchQueries(store: DatasetStore, datasetId: number): void {
  const page = (q: Omit<SampleQuery, 'datasetId'>) => () => store.pageSamples({ datasetId, limit: 100, ...q });
  const deepCursor = String(store.pageSamples({ datasetId, limit: 1, cursor: String(SAMPLES - 200) }).items[0]?.id ?? 0);
  median('grid: first page (100)', page({}));
  median('grid: page deep in the dataset (keyset)', page({ cursor: deepCursor }));
  median('grid: page, newest first', page({ order: 'desc' }));
  median('grid: page filtered by status + split', page({ filter: { status: ['review'], split: ['val'] } }));
  median('grid: page filtered by a rare tag (2%)', page({ filter: { tag: 'rare' } }));
  median('grid: page filtered by origin model', page({ filter: { origin: ['model'] } }));
  median('search: page for "red cat" (FTS)', page({ filter: { text: 'red cat' } }));
  median('search: page for a rare token "#4242"', page({ filter: { text: '4242' } }));
  median('search: page for "red cat" + status done', page({ filter: { text: 'red cat', status: ['done'] } }));
  median('count: all samples', () => store.countSamples(datasetId));
  median('count: "red cat" matches', () => store.countSamples(datasetId, { text: 'red cat' }));
  // punctuation is matched literally (LIKE over the texts) beside the FTS words
  const words = median('search: count "4242" (FTS only, baseline)', () => store.countSamples(datasetId, { text: '4242' }));
  const literal = median('search: count "(#4242)" (FTS + literal)', () => store.countSamples(datasetId, { text: '(#4242)' }));
  median('search: page for "(" (literal only)', page({ filter: { text: '(' } }));
  console.log(`literal search costs ${(literal / words).toFixed(1)}× the word search it refines`);
}

/** The start-up check of the database against a plain open (what start cost before it). */
function benchStartupCheck(store: DatasetStore): void {
  const path = join(store.dataDir, DATABASE_FILE);
  const plain = median(
    'open: plain read-only open + user_version (baseline)',
    () => {
      const db = new Database(path, { readonly: true });
      db.pragma('user_version');
      db.close();
    },
    5,
  );
  const checked = median(
    `open: start-up check, quick_check + WAL (${(statSync(path).size / 1e6).toFixed(0)} MB)`,
    () => inspectDatabase(store.dataDir, path, LATEST_SCHEMA_VERSION),
    5,
  );
  console.log(`the start-up check adds ${(checked - plain).toFixed(0)} ms (${(checked / plain).toFixed(0)}× a plain open)`);
}

const work = tempDir('nanovlm-bench-');
const { store, close } = tempStore();
try {
  const imageIds = await benchImport(store, join(work.path, 'images'));
  const datasetId = seedSamples(store, imageIds);
  benchQueries(store, datasetId);
  benchStartupCheck(store);
} finally {
  close();
  work.remove();
}
