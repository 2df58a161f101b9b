// Parquet export in the_cauldron layout, one file per split as the Hub names them
// (data/train-00000-of-00001.parquet, validation-…, test-…), which nanoVLM's training reads with
// `datasets`: images = list<struct{bytes: binary, path: string}>, texts = list<struct{user,
// assistant}>, and the "huggingface" metadata that tells `datasets` the images are Images.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import type { ExportReport, SampleSplit } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { DamagedImageError, type ImageStore } from '../images/image-store';
import { exportSamples, type ExportSelection } from './export-samples';
import { exportedImageName, type ExportControl } from './export-jsonl';
import { timed } from './export-target';

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
const splitFile = (split: SampleSplit) => `${SPLIT_FILE_NAMES[split]}-00000-of-00001.parquet`;
/** The files a Parquet export may write, relative to its folder. */
export const PARQUET_FILES = (['train', 'val', 'test'] as const).map((split) => `data/${splitFile(split)}`);
const ROWS_PER_GROUP = 64; // image bytes of one row group are held in memory at a time

export interface CauldronRow {
  images: { bytes: Uint8Array; path: string }[];
  texts: { user: string; assistant: string }[];
}

/** Rows of one split, read a sample at a time; async so that a cancel gets in between rows. */
async function* splitRows(
  db: StudioDatabase,
  images: ImageStore,
  datasetId: number,
  split: SampleSplit,
  selection: ExportSelection,
  report: ExportReport,
  seen: Set<string>,
  control: ExportControl,
): AsyncGenerator<CauldronRow> {
  const leftOut = (sampleId: number, reason: string) => {
    if (split === 'train') report.skipped.push({ sampleId, reason }); // report once, not once per split
  };
  for (const s of exportSamples(db, datasetId, selection, leftOut)) {
    if (s.split !== split) continue;
    await setImmediate();
    control.signal?.throwIfAborted();
    let rowImages: CauldronRow['images'];
    try {
      rowImages = s.imageIds.map((id) => ({ bytes: images.readVerifiedSync(id), path: exportedImageName(id, images.get(id)!.format) }));
    } catch (err) {
      if (!(err instanceof DamagedImageError)) throw err;
      report.skipped.push({ sampleId: s.id, reason: err.message });
      continue;
    }
    report.samples++;
    control.onProgress?.(report.samples);
    for (const id of s.imageIds) seen.add(id);
    yield { images: rowImages, texts: s.turns.map((t) => ({ user: t.user, assistant: t.assistant })) };
  }
}

/** Write rows to a Parquet file in the_cauldron layout (rows are pulled lazily, a row group at a time). */
export async function writeCauldronParquet(path: string, rows: Iterable<CauldronRow> | AsyncIterable<CauldronRow>): Promise<void> {
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

/** Writes data/{train,validation,test}-00000-of-00001.parquet into `outDir` (the export's staging folder). */
export async function exportParquet(
  db: StudioDatabase,
  images: ImageStore,
  datasetId: number,
  outDir: string,
  selection: ExportSelection = { trainableOnly: true },
  control: ExportControl = {},
): Promise<ExportReport> {
  const report: ExportReport = { format: 'parquet', samples: 0, images: 0, files: [], skipped: [] };
  const seen = new Set<string>();
  await timed(`creating ${join(outDir, 'data')}`, mkdir(join(outDir, 'data')), control.signal);
  for (const split of ['train', 'val', 'test'] as const) {
    const before = report.samples;
    const target = join(outDir, 'data', splitFile(split));
    await writeCauldronParquet(target, splitRows(db, images, datasetId, split, selection, report, seen, control));
    if (report.samples > before) report.files.push(target);
    else await rm(target, { force: true });
  }
  report.images = seen.size;
  return report;
}
