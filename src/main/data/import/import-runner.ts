// Runs an import: pulls entries from a reader, checks and stores their images (a few at once),
// and commits samples in batches, one transaction each. Progress is reported after each commit,
// so a sample reported imported is durable. Cancelling stops between items: what was already
// read is committed, nothing after.
import type { ImportFormat, ImportIssue, ImportOptions, ImportProgress, ImportReport, Turn } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { ImageRejectedError } from '../images/image-probe';
import type { ImageStore, StagedImage } from '../images/image-store';
import { isComplete, tagsProblem, textsProblem } from '../samples/sample-content';
import type { SampleRecord, SampleRepository } from '../samples/sample-repo';
import type { ImportRoot } from './confined-path';
import { readImageSource } from './image-source';
import type { ImportEntry, ImportItem } from './import-entry';

export interface ImportRunOptions extends ImportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** samples per transaction */
  batchSize?: number;
  /** images checked at once (sharp decodes on libuv's threads) */
  concurrency?: number;
}

export interface ImportContext {
  db: StudioDatabase;
  images: ImageStore;
  samples: SampleRepository;
  /** where image paths must lead (see confined-path.ts); unconfined without one */
  root?: ImportRoot;
}

type Prepared = { item: ImportItem; images: StagedImage[] } | { issue: ImportIssue };

async function stageItem(images: ImageStore, item: ImportItem, root?: ImportRoot): Promise<Prepared> {
  const tooLong = textsProblem(item.texts) ?? tagsProblem(item.tags ?? []);
  if (tooLong) return { issue: { where: item.where, reason: tooLong } };
  const staged: StagedImage[] = [];
  for (const source of item.images) {
    try {
      staged.push(await images.stage(await readImageSource(source, root)));
    } catch (err) {
      if (!(err instanceof ImageRejectedError)) throw err;
      const which = item.images.length > 1 || source.kind === 'bytes' || item.where.includes(':') ? `${source.label}: ` : '';
      const path = source.kind === 'path' && item.where.includes(':') ? ` (${source.path})` : '';
      return { issue: { where: item.where, reason: `${which}${err.message}${path}` } };
    }
  }
  return { item, images: staged };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function toRecord(item: ImportItem, imageIds: string[], options: ImportOptions): SampleRecord {
  const turns: Turn[] = item.texts.map((t) => ({ user: t.user, assistant: t.assistant, origin: 'import' }));
  return {
    imageIds,
    turns,
    split: options.split ?? item.split ?? 'train',
    status: options.status ?? item.status ?? (isComplete(turns) ? 'done' : 'todo'),
    tags: [...new Set([...(item.tags ?? []), ...(options.tags ?? [])])],
    source: item.where,
  };
}

export async function runImport(
  ctx: ImportContext,
  datasetId: number,
  format: ImportFormat,
  entries: AsyncIterable<ImportEntry>,
  options: ImportRunOptions = {},
): Promise<ImportReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 64;
  const report: ImportReport = {
    datasetId,
    format,
    cancelled: false,
    issues: [],
    duplicateOf: [],
    seconds: 0,
    processed: 0,
    imported: 0,
    skipped: 0,
    duplicates: 0,
    newImages: 0,
  };
  const commit = (prepared: Prepared[]) => {
    ctx.db.transaction(() => {
      for (const p of prepared) {
        if ('issue' in p) continue;
        for (const image of p.images) ctx.images.record(image);
        const { id, duplicateOf } = ctx.samples.insert(
          datasetId,
          toRecord(
            p.item,
            p.images.map((i) => i.id),
            options,
          ),
        );
        if (duplicateOf !== null) report.duplicateOf.push({ where: p.item.where, sampleId: id, duplicateOf });
      }
      ctx.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(Date.now(), datasetId);
    })();
    // Counted only once the transaction is committed.
    const newIds = new Set<string>();
    for (const p of prepared) {
      if ('issue' in p) {
        report.issues.push(p.issue);
        report.skipped++;
      } else {
        report.imported++;
        for (const image of p.images) if (image.isNew) newIds.add(image.id);
      }
    }
    report.newImages += newIds.size;
    report.duplicates = report.duplicateOf.length;
    report.processed += prepared.length;
    options.onProgress?.(progressOf(report));
  };

  let batch: ImportEntry[] = [];
  const flush = async () => {
    const prepared = await mapLimit(batch, options.concurrency ?? 4, (e) =>
      'skip' in e ? Promise.resolve<Prepared>({ issue: e.skip }) : stageItem(ctx.images, e.item, ctx.root),
    );
    batch = [];
    if (prepared.length) commit(prepared);
  };
  for await (const entry of entries) {
    if (options.signal?.aborted) {
      report.cancelled = true;
      break;
    }
    batch.push(entry);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function progressOf(r: ImportReport): ImportProgress {
  return { processed: r.processed, imported: r.imported, skipped: r.skipped, duplicates: r.duplicates, newImages: r.newImages };
}
