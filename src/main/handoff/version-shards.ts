// A dataset version as the Parquet shards nanoVLM's train.py streams from a local folder
// (`--train_dataset_path DIR`, config "default": DIR/data/train-*.parquet, the_cauldron layout).
// train.py takes its validation rows from the head of the stream (take(val_size / processes) on
// each process, whose share is one shard when there are as many shards as processes), so every
// shard starts with the same number of val-split rows, then its share of the training rows,
// shuffled once with the run's seed. Val rows never reach training.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetStore } from '../data/dataset-store';
import type { VersionSample } from '../data/dataset-versions';
import { exportedImageName } from '../data/export/export-jsonl';
import { writeCauldronParquet, type CauldronRow } from '../data/export/export-parquet';
import { mulberry32 } from '../util/mulberry32';
import { maxOf } from '../../shared/array-utils';
import { HandoffError } from './run-json';

export interface ShardReport {
  files: string[];
  trainRows: number;
  /** val rows written (at the head of the shards) */
  valRows: number;
  /** val rows left out so that every process validates on as many rows */
  valLeftOut: number;
  maxImagesPerSample: number;
}

export interface ShardOptions {
  processes: number;
  seed: number;
  signal?: AbortSignal;
  /** rows written so far, of all */
  onRow?: (done: number, total: number) => void;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The rows of each shard: val rows first (the same count in each), then every n-th training row. */
export function planShards(train: VersionSample[], val: VersionSample[], processes: number, seed: number): VersionSample[][] {
  const perShardVal = Math.floor(val.length / processes);
  const order = shuffled(train, seed);
  return Array.from({ length: processes }, (_, shard) => [
    ...val.slice(shard * perShardVal, (shard + 1) * perShardVal),
    ...order.filter((_, i) => i % processes === shard),
  ]);
}

export async function writeVersionShards(store: DatasetStore, versionId: number, datasetDir: string, options: ShardOptions): Promise<ShardReport> {
  const train = [...store.versionSamples(versionId, 'train')];
  const val = [...store.versionSamples(versionId, 'val')];
  const { processes } = options;
  if (train.length === 0) throw new HandoffError('dataset', `dataset version ${versionId} has no answered samples in its train split: nothing to train on`);
  if (val.length < processes) {
    throw new HandoffError(
      'dataset',
      `dataset version ${versionId} has ${val.length} answered val sample(s); nanoVLM's train.py validates on the head of each process's stream and needs at least one val sample per process (${processes}): put samples in the val split`,
    );
  }
  if (train.length < processes)
    throw new HandoffError(
      'processes',
      `dataset version ${versionId} has ${train.length} training sample(s), fewer than the ${processes} processes to share them`,
    );
  const shards = planShards(train, val, processes, options.seed);
  const total = shards.reduce((n, s) => n + s.length, 0);
  await mkdir(join(datasetDir, 'data'), { recursive: true });
  const files: string[] = [];
  let done = 0;
  const image = (id: string) => ({ bytes: readFileSync(store.imageFilePath(id)), path: exportedImageName(id, store.images.get(id)?.format ?? 'bin') });
  function* rows(samples: VersionSample[]): Generator<CauldronRow> {
    for (const s of samples) {
      options.signal?.throwIfAborted();
      yield { images: s.imageIds.map(image), texts: s.texts };
      options.onRow?.(++done, total);
    }
  }
  const digits = (n: number) => String(n).padStart(5, '0');
  for (const [i, samples] of shards.entries()) {
    const file = join(datasetDir, 'data', `train-${digits(i)}-of-${digits(processes)}.parquet`);
    await writeCauldronParquet(file, rows(samples));
    files.push(file);
  }
  const perShardVal = Math.floor(val.length / processes);
  return {
    files,
    trainRows: train.length,
    valRows: perShardVal * processes,
    valLeftOut: val.length - perShardVal * processes,
    maxImagesPerSample: maxOf(
      [...train, ...val].map((s) => s.imageIds.length),
      0,
    ),
  };
}
