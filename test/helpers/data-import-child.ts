// Child process for the kill -9 test: imports a JSONL file into a data folder in small batches
// and prints "imported N" after each commit (when N samples are durable).
import { DatasetStore } from '../../src/main/data/dataset-store';

const [dataDir, file] = process.argv.slice(2);
if (!dataDir || !file) throw new Error('usage: data-import-child <dataDir> <file.jsonl>');
const store = DatasetStore.open(dataDir);
const dataset = store.datasetNamed('killed');
await store.importPath(dataset.id, file, {
  batchSize: 5,
  concurrency: 1,
  onProgress: (p) => process.stdout.write(`imported ${p.imported}\n`),
});
process.stdout.write('done\n');
store.close();
