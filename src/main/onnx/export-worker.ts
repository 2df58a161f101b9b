// Worker-thread entry: exports one checkpoint (CPU-heavy: reading, transposing, quantising,
// writing) off the main thread, reporting progress as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { openCheckpoint } from '../model/checkpoint';
import { exportOnnx } from './export';
import type { ExportOptions } from './export-options';

export interface ExportJob {
  checkpointDir: string;
  outDir: string;
  options: ExportOptions;
  checkpointHash: string;
}

export type ExportWorkerMessage = { type: 'progress'; stage: string; fraction: number } | { type: 'done' } | { type: 'error'; message: string };

function run(job: ExportJob): void {
  const post = (m: ExportWorkerMessage) => parentPort!.postMessage(m);
  try {
    const checkpoint = openCheckpoint(job.checkpointDir);
    try {
      exportOnnx(checkpoint, job.outDir, job.options, (p) => post({ type: 'progress', ...p }), job.checkpointHash);
    } finally {
      checkpoint.close();
    }
    post({ type: 'done' });
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
}

if (parentPort) run(workerData as ExportJob);
