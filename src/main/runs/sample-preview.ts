// "Preview a sample" in the run form: one sample of the run's train split exactly as the trainer
// will see it. It goes the trainer's own way (prepareSample: the processor; collate: the collator),
// so the preview cannot drift from training: the token ids, the shifted labels (−100 where a
// position is not trained on) and the image processor's tiles, each tile as a small PNG.
import sharp from 'sharp';
import { ApiError } from '../../shared/api';
import type { PreviewImage, PreviewToken, TrainingSamplePreview } from '../../shared/runs';
import type { SampleStatus } from '../../shared/datasets';
import type { DatasetStore } from '../data/dataset-store';
import { trainableSamples } from '../data/dataset-versions';
import type { StudioDatabase } from '../data/database';
import { openCheckpoint } from '../model/checkpoint';
import type { ModelSpec } from '../model/config';
import { imagesBeforeText, imageTokenCount, imageTokenIdOf } from '../model/family';
import { imageSettingsFor } from '../model/image-processor';
import { Processor } from '../model/processor';
import { IGNORE_INDEX } from '../model/prompt';
import { NanoVLMTokenizer } from '../model/tokenizer';
import type { ModelInfo } from '../../shared/models';
import { collate } from '../training/data/collate';
import { prepareSample } from '../training/data/vqa-records';
import { vqaRecordOf } from './run-data';

/** Thumbnails no wider than this (a 512-pixel tile is not needed to see what a tile holds). */
const THUMBNAIL_SIDE = 128;

export interface SamplePreviewRequest {
  datasetId: number;
  statuses?: readonly SampleStatus[];
  index: number;
}

export async function previewTrainingSample(
  db: StudioDatabase,
  store: DatasetStore,
  base: ModelInfo,
  request: SamplePreviewRequest,
): Promise<TrainingSamplePreview> {
  // the samples a version frozen now would give the train split, in the version's order
  const train = trainableSamples(db, request.datasetId, request.statuses).filter((s) => s.split === 'train');
  if (train.length === 0) throw new ApiError('invalid_input', 'the train split has no answered samples to preview', 'datasetId');
  const index = request.index % train.length;
  const sample = train[index]!;
  const record = vqaRecordOf(store, sample);
  const spec = readSpec(base);
  const tokenizer = NanoVLMTokenizer.fromFolder(base.tokenizerFolder, spec.config);
  // the trainer's path: one record through the processor, then the collator (a batch of one)
  const batch = collate([await prepareSample(record, spec, tokenizer)], tokenizer.eosTokenId);
  const imageId = imageTokenIdOf(spec);
  const tokens: PreviewToken[] = Array.from(batch.inputIds, (id, t) => ({
    id,
    text: tokenizer.decode([id]),
    target: batch.targets[t] === IGNORE_INDEX ? null : batch.targets[t]!,
    kind: id === imageId ? 'image' : tokenizer.specialIds.has(id) ? 'special' : 'text',
  }));
  // the grids come from the same processor; the thumbnails from the collated pixels themselves
  const processed = (await new Processor(spec, tokenizer).images(record.images)).images;
  const tileSize = imageSettingsFor(spec).tileSize;
  let firstTile = 0;
  const images: PreviewImage[] = [];
  for (const p of processed) {
    const at = firstTile;
    firstTile += p.tileCount;
    images.push({
      grid: [p.grid[0], p.grid[1]],
      sourceHw: p.sourceHw,
      resizedHw: p.resizedHw,
      globalView: p.tileCount > p.grid[0] * p.grid[1],
      tiles: await Promise.all(Array.from({ length: p.tileCount }, (_, i) => tilePng(batch.pixelValues, at + i, tileSize))),
    });
  }
  if (firstTile !== batch.imageCount) throw new Error(`the processor cut ${firstTile} tiles but the batch holds ${batch.imageCount}`);
  return {
    sampleId: sample.sampleId,
    index,
    count: train.length,
    family: spec.family,
    tileSize,
    tokens,
    labelled: tokens.filter((t) => t.target !== null).length,
    imagePositions: imageTokenCount(
      spec,
      processed.map((p) => p.grid),
    ),
    imagesBeforeText: imagesBeforeText(spec.family),
    images,
  };
}

/** The base model's family and config, as the trainer reads them from its checkpoint. */
function readSpec(base: ModelInfo): ModelSpec {
  const checkpoint = openCheckpoint(base.folder);
  checkpoint.close();
  return { family: checkpoint.family, config: checkpoint.config };
}

/** Tile `i` of [tiles, 3, P, P] floats in [0, 1] as a PNG data URL, scaled down for a thumbnail. */
async function tilePng(pixels: Float32Array, i: number, side: number): Promise<string> {
  const plane = side * side;
  const offset = i * 3 * plane;
  const rgb = Buffer.alloc(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(Math.min(1, Math.max(0, pixels[offset + c * plane + p]!)) * 255);
  }
  const png = await sharp(rgb, { raw: { width: side, height: side, channels: 3 } })
    .resize(Math.min(side, THUMBNAIL_SIDE), Math.min(side, THUMBNAIL_SIDE), { kernel: 'nearest' })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
