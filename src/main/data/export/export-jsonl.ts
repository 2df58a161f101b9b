// JSONL export with an images/ folder beside it, in the Hub's VQA layout or the LLaMA-Factory /
// ShareGPT layout; rows also carry split, status and tags so that a round trip loses nothing.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportReport } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import type { ImageStore } from '../images/image-store';
import { exportSamples, type ExportSample, type ExportSelection } from './export-samples';

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

export async function exportJsonl(
  db: StudioDatabase, images: ImageStore, datasetId: number, outDir: string, layout: 'vqa' | 'sharegpt', selection: ExportSelection = {},
): Promise<ExportReport> {
  const report: ExportReport = { format: layout === 'vqa' ? 'jsonl' : 'sharegpt', samples: 0, images: 0, files: [], skipped: [] };
  await mkdir(join(outDir, 'images'), { recursive: true });
  const target = join(outDir, 'data.jsonl');
  const tmp = `${target}.partial`;
  const out = createWriteStream(tmp);
  const copied = new Set<string>();
  for (const sample of exportSamples(db, datasetId, selection, (sampleId, reason) => report.skipped.push({ sampleId, reason }))) {
    const paths: string[] = [];
    for (const id of sample.imageIds) {
      const name = exportedImageName(id, images.get(id)!.format);
      if (!copied.has(id)) {
        await copyFile(images.filePath(id), join(outDir, 'images', name));
        copied.add(id);
      }
      paths.push(`images/${name}`);
    }
    const row = layout === 'vqa' ? vqaRow(sample, paths) : shareGptRow(sample, paths);
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    report.samples++;
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, target);
  report.images = copied.size;
  report.files = [target];
  return report;
}
