// Cached ONNX exports: <cacheDir>/onnx/<key>/ where the key hashes the checkpoint's content, the
// export options and the export format version, so a changed checkpoint (or a new exporter) gets
// a fresh export and an unchanged one is reused. Exports are built in a worker thread into a
// temporary folder that is renamed into place when complete.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExportProgress } from './export';
import { checkpointHash } from './checkpoint-hash';
import { DEFAULT_EXPORT_OPTIONS, EXPORT_FORMAT_VERSION, MANIFEST_FILE, type ExportManifest, type ExportOptions } from './export-options';
import type { ExportJob, ExportWorkerMessage } from './export-worker';
import { startWorker } from './typescript-worker';

export interface EnsureExportOptions {
  cacheDir: string;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
}

export interface CachedExport {
  dir: string;
  manifest: ExportManifest;
  /** true when an existing export was reused */
  cached: boolean;
}

const SOURCE_FILE = 'source.json';

export async function ensureExport(checkpointDir: string, options: Partial<ExportOptions>, cache: EnsureExportOptions): Promise<CachedExport> {
  const opts: ExportOptions = { ...DEFAULT_EXPORT_OPTIONS, ...options };
  const hash = await checkpointHash(checkpointDir);
  const root = join(cache.cacheDir, 'onnx');
  const dir = join(root, exportKey(hash, opts));
  if (existsSync(join(dir, MANIFEST_FILE))) return { dir, manifest: readManifest(dir), cached: true };

  mkdirSync(root, { recursive: true });
  const staging = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await runExportWorker({ checkpointDir: resolve(checkpointDir), outDir: staging, options: opts, checkpointHash: hash }, cache);
    writeFileSync(join(staging, SOURCE_FILE), JSON.stringify({ checkpointDir: resolve(checkpointDir), options: opts }));
    if (!existsSync(join(dir, MANIFEST_FILE))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  removeStaleExports(root, dir, resolve(checkpointDir), opts);
  return { dir, manifest: readManifest(dir), cached: false };
}

export function exportKey(checkpointHash: string, options: ExportOptions): string {
  const canonical = JSON.stringify({ v: EXPORT_FORMAT_VERSION, checkpointHash, quant: options.quant, graph: options.graph, allLogits: options.allLogits });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 24);
}

function readManifest(dir: string): ExportManifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ExportManifest;
}

/** Older exports of the same checkpoint folder with the same options (its content changed since). */
function removeStaleExports(root: string, current: string, checkpointDir: string, options: ExportOptions): void {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir === current || name.includes('.partial-')) continue;
    try {
      const source = JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8')) as { checkpointDir: string; options: ExportOptions };
      if (source.checkpointDir === checkpointDir && JSON.stringify(source.options) === JSON.stringify(options)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // not one of ours, or unreadable: leave it
    }
  }
}

/** The worker entry beside this module: TypeScript under tsx (CLI, tests), JavaScript when built. */
const workerEntry = (): URL => new URL(import.meta.url.endsWith('.ts') ? './export-worker.ts' : './export-worker.js', import.meta.url);

function runExportWorker(job: ExportJob, cache: EnsureExportOptions): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (cache.signal?.aborted) return reject(new Error('export cancelled'));
    const worker = startWorker(workerEntry(), { workerData: job });
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      cache.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolvePromise();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(new Error('export cancelled'));
    };
    cache.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ExportWorkerMessage) => {
      if (m.type === 'progress') cache.onProgress?.({ stage: m.stage as ExportProgress['stage'], fraction: m.fraction });
      else if (m.type === 'done') finish();
      else finish(new Error(`ONNX export of ${job.checkpointDir} failed: ${m.message}`));
    });
    worker.on('error', (err) => finish(new Error(`ONNX export worker for ${job.checkpointDir} crashed: ${err.message}`)));
    worker.on('exit', (code) => finish(code === 0 ? undefined : new Error(`ONNX export worker for ${job.checkpointDir} exited with code ${code}`)));
  });
}
