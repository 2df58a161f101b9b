// Datasets benchmark: importing 2,000 generated images (files/s), then the grid's page query and a
// text search over 100,000 samples (ms). Prints figures; not a test. Run: tsx bench/data.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetStore } from '../src/main/data/dataset-store';
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
  console.log(`import: ${report.imported} images (320×240 JPEG) in ${report.seconds.toFixed(2)} s = ${(report.imported / report.seconds).toFixed(0)} files/s (validated by a full decode, thumbnail written, batches of 64)`);
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
          turns: [{ user: `What is next to the ${word(i, 1)} ${word(i, 2)}? (#${i})`, assistant: `A ${word(i, 3)} ${word(i, 4)} near the ${word(i, 5)}.`, origin: i % 5 ? 'import' : 'model', model: 'm' }],
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

function median(label: string, fn: () => unknown, runs = 15): void {
  fn(); // warm the statement cache and the page cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} median ${times[runs >> 1]!.toFixed(2)} ms, max ${times[runs - 1]!.toFixed(2)} ms`);
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
}

const work = tempDir('nanovlm-bench-');
const { store, close } = tempStore();
try {
  const imageIds = await benchImport(store, join(work.path, 'images'));
  const datasetId = seedSamples(store, imageIds);
  benchQueries(store, datasetId);
} finally {
  close();
  work.remove();
}
