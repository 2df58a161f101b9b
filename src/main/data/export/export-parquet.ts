// Parquet export in the_cauldron layout, one file per split as the Hub names them
// (data/train-00000-of-00001.parquet, validation-…, test-…), which nanoVLM's training reads with
// `datasets`: images = list<struct{bytes: binary, path: string}>, texts = list<struct{user,
// assistant}>, and the "huggingface" metadata that tells `datasets` the images are Images.
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import type { ExportReport, SampleSplit } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import type { ImageStore } from '../images/image-store';
import { exportSamples, type ExportSelection } from './export-samples';
import { exportedImageName } from './export-jsonl';

// hyparquet-writer carries its own copy of hyparquet's types: take the schema type from it.
type WriterSchema = NonNullable<Parameters<typeof parquetWriteRows>[0]['schema']>;

export const CAULDRON_SCHEMA: WriterSchema = [
  { name: 'schema', num_children: 2 },
  { name: 'images', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'texts', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'user', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'assistant', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

const string = { dtype: 'string', _type: 'Value' };
export const HUGGINGFACE_FEATURES = JSON.stringify({
  info: { features: { images: { feature: { _type: 'Image' }, _type: 'Sequence' }, texts: [{ user: string, assistant: string }] } },
});

const SPLIT_FILE_NAMES: Record<SampleSplit, string> = { train: 'train', val: 'validation', test: 'test' };
const ROWS_PER_GROUP = 64; // image bytes of one row group are held in memory at a time

export interface CauldronRow {
  images: { bytes: Uint8Array; path: string }[];
  texts: { user: string; assistant: string }[];
}

function* splitRows(db: StudioDatabase, images: ImageStore, datasetId: number, split: SampleSplit, selection: ExportSelection, report: ExportReport, seen: Set<string>): Generator<CauldronRow> {
  const leftOut = (sampleId: number, reason: string) => {
    if (split === 'train') report.skipped.push({ sampleId, reason }); // report once, not once per split
  };
  for (const s of exportSamples(db, datasetId, selection, leftOut)) {
    if (s.split !== split) continue;
    report.samples++;
    for (const id of s.imageIds) seen.add(id);
    yield {
      images: s.imageIds.map((id) => ({ bytes: readFileSync(images.filePath(id)), path: exportedImageName(id, images.get(id)!.format) })),
      texts: s.turns.map((t) => ({ user: t.user, assistant: t.assistant })),
    };
  }
}

/** Write rows to a Parquet file in the_cauldron layout (rows are pulled lazily, a row group at a time). */
export async function writeCauldronParquet(path: string, rows: Iterable<CauldronRow>): Promise<void> {
  const writer = fileWriter(path);
  await parquetWriteRows({
    writer,
    rows,
    columns: [{ name: 'images' }, { name: 'texts' }],
    schema: CAULDRON_SCHEMA,
    rowGroupSize: ROWS_PER_GROUP,
    kvMetadata: [{ key: 'huggingface', value: HUGGINGFACE_FEATURES }],
    createdBy: 'nanoVLM Studio (hyparquet-writer)',
  });
  writer.finish();
}

export async function exportParquet(
  db: StudioDatabase, images: ImageStore, datasetId: number, outDir: string, selection: ExportSelection = { trainableOnly: true },
): Promise<ExportReport> {
  const report: ExportReport = { format: 'parquet', samples: 0, images: 0, files: [], skipped: [] };
  const seen = new Set<string>();
  await mkdir(join(outDir, 'data'), { recursive: true });
  for (const split of ['train', 'val', 'test'] as const) {
    const before = report.samples;
    const target = join(outDir, 'data', `${SPLIT_FILE_NAMES[split]}-00000-of-00001.parquet`);
    const tmp = `${target}.partial`;
    await writeCauldronParquet(tmp, splitRows(db, images, datasetId, split, selection, report, seen));
    if (report.samples > before) {
      await rename(tmp, target);
      report.files.push(target);
    } else {
      await rm(tmp, { force: true });
    }
  }
  report.images = seen.size;
  return report;
}
