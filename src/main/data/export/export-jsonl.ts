// JSONL export with an images/ folder beside it, in the Hub's VQA layout or the LLaMA-Factory /
// ShareGPT layout; rows also carry split, status and tags so that a round trip loses nothing.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportReport } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { DamagedImageError, type ImageStore } from '../images/image-store';
import { exportSamples, type ExportSample, type ExportSelection } from './export-samples';
import { timed } from './export-target';

/** Cancellation and progress of one export. */
export interface ExportControl {
  signal?: AbortSignal;
  /** samples written so far */
  onProgress?: (samples: number) => void;
}

export const FILE_EXTENSIONS: Record<string, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tif' };

export function exportedImageName(id: string, format: string): string {
  return `${id}.${FILE_EXTENSIONS[format] ?? 'bin'}`;
}

function vqaRow(s: ExportSample, paths: string[]): object {
  return { images: paths, texts: s.turns.map((t) => ({ user: t.user, assistant: t.assistant })), split: s.split, status: s.status, tags: s.tags };
}

function shareGptRow(s: ExportSample, paths: string[]): object {
  const markers = '<image>'.repeat(paths.length);
  const messages = s.turns.flatMap((t, i) => {
    const user = { role: 'user', content: i === 0 ? markers + t.user : t.user };
    return t.assistant || i < s.turns.length - 1 ? [user, { role: 'assistant', content: t.assistant }] : [user];
  });
  return { messages, images: paths, split: s.split, status: s.status, tags: s.tags };
}

/**
 * Writes data.jsonl and images/ into `outDir` (the export's staging folder). A sample whose image
 * is damaged in the store is left out and reported, never exported as it now is.
 */
export async function exportJsonl(
  db: StudioDatabase,
  images: ImageStore,
  datasetId: number,
  outDir: string,
  layout: 'vqa' | 'sharegpt',
  selection: ExportSelection = {},
  control: ExportControl = {},
): Promise<ExportReport> {
  const { signal } = control;
  const report: ExportReport = { format: layout === 'vqa' ? 'jsonl' : 'sharegpt', samples: 0, images: 0, files: [], skipped: [] };
  await timed(`creating ${join(outDir, 'images')}`, mkdir(join(outDir, 'images')), signal);
  const target = join(outDir, 'data.jsonl');
  const out = createWriteStream(target);
  const copied = new Map<string, string>();
  const damaged = new Map<string, string>();
  const imagePath = async (id: string): Promise<string> => {
    const known = copied.get(id);
    if (known) return known;
    if (damaged.has(id)) throw new DamagedImageError(id, damaged.get(id)!);
    const name = exportedImageName(id, images.get(id)!.format);
    try {
      await timed(`writing images/${name}`, writeFile(join(outDir, 'images', name), await images.readVerified(id)), signal);
    } catch (err) {
      if (err instanceof DamagedImageError) damaged.set(id, err.path);
      throw err;
    }
    copied.set(id, `images/${name}`);
    return `images/${name}`;
  };
  try {
    for (const sample of exportSamples(db, datasetId, selection, (sampleId, reason) => report.skipped.push({ sampleId, reason }))) {
      signal?.throwIfAborted();
      let paths: string[];
      try {
        paths = [];
        for (const id of sample.imageIds) paths.push(await imagePath(id));
      } catch (err) {
        if (!(err instanceof DamagedImageError)) throw err;
        report.skipped.push({ sampleId: sample.id, reason: err.message });
        continue;
      }
      const row = layout === 'vqa' ? vqaRow(sample, paths) : shareGptRow(sample, paths);
      if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
      report.samples++;
      control.onProgress?.(report.samples);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  report.images = copied.size;
  report.files = [target];
  return report;
}
