// Child process for the interrupted-job tests: a whole studio core that starts an import job of a
// JSONL file and prints "imported N" as the job reports progress, until it is killed.
import { createStudioCore } from '../../src/main/core/studio-core';

const [dataDir, file] = process.argv.slice(2);
if (!dataDir || !file) throw new Error('usage: core-import-child <dataDir> <file.jsonl>');
const core = createStudioCore({ dataDir, door: 'web' });
core.events.on('job.updated', (job) => {
  if (job.kind === 'import') process.stdout.write(`imported ${job.progress.done}\n`);
});
const { id } = (await core.call('datasets.create', { name: 'interrupted' })) as { id: number };
await core.call('datasets.import', { datasetId: id, path: file });
