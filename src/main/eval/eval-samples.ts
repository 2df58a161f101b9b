// Held-out samples to evaluate on: a split of a frozen dataset version, or the rows of a file in
// any layout the studio imports (JSONL, CSV, Parquet, a folder with sidecars).
import type { SampleSplit } from '../../shared/datasets';
import type { DatasetStore } from '../data/dataset-store';
import { detectImportFormat, importEntries } from '../data/import/import-path';
import type { EvalSample } from './evaluate';

export function versionEvalSamples(store: DatasetStore, versionId: number, split: SampleSplit): EvalSample[] {
  return [...store.versionSamples(versionId, split)].map((s) => ({
    id: String(s.sampleId),
    images: s.imageIds.map((id) => store.imageFilePath(id)),
    texts: s.texts,
  }));
}

export interface FileEvalSamples {
  samples: EvalSample[];
  /** true when no row named a split, so every answered row was taken */
  splitIgnored: boolean;
  skipped: { where: string; reason: string }[];
}

/** Answered rows of the split (or every answered row when the file names no splits). */
export async function fileEvalSamples(path: string, split: SampleSplit): Promise<FileEvalSamples> {
  const format = await detectImportFormat(path);
  const all: (EvalSample & { split?: SampleSplit })[] = [];
  const skipped: FileEvalSamples['skipped'] = [];
  for await (const entry of importEntries(path, format)) {
    if ('skip' in entry) {
      skipped.push(entry.skip);
      continue;
    }
    const { item } = entry;
    const texts = item.texts.filter((t) => t.assistant.trim() !== '');
    if (texts.length === 0) continue;
    all.push({ id: item.where, images: item.images.map((im) => (im.kind === 'path' ? im.path : im.bytes)), texts, split: item.split });
  }
  const anySplit = all.some((s) => s.split !== undefined);
  const samples = (anySplit ? all.filter((s) => s.split === split) : all).map(({ split: _split, ...s }) => s);
  return { samples, splitIgnored: !anySplit, skipped };
}
