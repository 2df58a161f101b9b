// Pushing to the Hub: a model (config.json, model.safetensors as nanoVLM's state_dict, the
// tokenizer files, a model card) or a dataset version (one Parquet file per split in the_cauldron
// layout, a dataset card). The files are staged in a temporary folder, uploaded as one commit
// (hub-upload.ts), and the staging folder is removed whatever happens.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DatasetStore } from '../data/dataset-store';
import { exportedImageName } from '../data/export/export-jsonl';
import { writeCauldronParquet, type CauldronRow } from '../data/export/export-parquet';
import { copyModelWeights } from '../model/model-weights-file';
import type { SampleSplit } from '../../shared/datasets';
import { datasetCard, modelCard, type DatasetCardFacts, type ModelCardFacts } from './hub-cards';
import { TOKENIZER_FILES } from './hub';
import { uploadToHub, type UploadResult } from './hub-upload';

export interface PushTarget {
  repo: string;
  token: string;
  endpoint: string;
  private?: boolean;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number, stage: string) => void;
}

async function withStaging<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-push-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function filesUnder(dir: string, paths: string[]) {
  return paths.map((p) => ({ path: relative(dir, p).split('\\').join('/'), file: p }));
}

export async function pushModel(target: PushTarget, model: { folder: string; tokenizerFolder: string; card: ModelCardFacts }): Promise<UploadResult> {
  return withStaging(async (dir) => {
    const paths = [join(dir, 'config.json'), join(dir, 'model.safetensors'), join(dir, 'README.md')];
    copyFileSync(join(model.folder, 'config.json'), paths[0]!);
    copyModelWeights(model.folder, paths[1]!);
    writeFileSync(paths[2]!, modelCard(model.card));
    for (const file of TOKENIZER_FILES) {
      if (!existsSync(join(model.tokenizerFolder, file))) continue;
      copyFileSync(join(model.tokenizerFolder, file), join(dir, file));
      paths.push(join(dir, file));
    }
    target.signal?.throwIfAborted();
    return uploadToHub({ ...target, type: 'model', files: filesUnder(dir, paths), title: `Upload ${model.card.name} from nanoVLM Studio` });
  });
}

const HUB_SPLITS: Record<SampleSplit, string> = { train: 'train', val: 'validation', test: 'test' };

export async function pushDatasetVersion(
  target: PushTarget,
  dataset: { store: DatasetStore; versionId: number; card: Omit<DatasetCardFacts, 'splits' | 'repo'> },
): Promise<UploadResult> {
  const { store, versionId } = dataset;
  return withStaging(async (dir) => {
    mkdirSync(join(dir, 'data'));
    const paths: string[] = [];
    const splits: Record<string, number> = {};
    for (const split of ['train', 'val', 'test'] as const) {
      const samples = [...store.versionSamples(versionId, split)];
      if (samples.length === 0) continue;
      const file = join(dir, 'data', `${HUB_SPLITS[split]}-00000-of-00001.parquet`);
      await writeCauldronParquet(
        file,
        (function* (): Generator<CauldronRow> {
          for (const s of samples) {
            target.signal?.throwIfAborted();
            yield {
              images: s.imageIds.map((id) => ({
                bytes: readFileSync(store.imageFilePath(id)),
                path: exportedImageName(id, store.images.get(id)?.format ?? 'bin'),
              })),
              texts: s.texts,
            };
          }
        })(),
      );
      splits[HUB_SPLITS[split]] = samples.length;
      paths.push(file);
    }
    if (paths.length === 0) throw new Error(`dataset version ${versionId} has no answered samples to push`);
    const readme = join(dir, 'README.md');
    writeFileSync(readme, datasetCard({ ...dataset.card, repo: target.repo, splits }));
    paths.push(readme);
    return uploadToHub({
      ...target,
      type: 'dataset',
      files: filesUnder(dir, paths),
      title: `Upload ${dataset.card.name} version ${versionId} from nanoVLM Studio`,
    });
  });
}
