// What `nanovlm train --dataset` names, turned into the JSONL the trainer reads (images as paths,
// {"images", "texts"} a line): a JSONL file as it is (or only its training rows, when rows carry a
// "split"); a Parquet file in the_cauldron / FineVision layout, with its images written out; or
// the name of a dataset in the studio's data folder, frozen as a new version whose training split
// is written out. Everything written goes under `workDir`, so a run keeps what it trained on.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { DatasetStore } from '../data/dataset-store';
import { readImageSource } from '../data/import/image-source';
import { parquetEntries } from '../data/import/parquet-source';
import { lockDataFolder } from './studio-lock';

export interface ResolvedDataset {
  /** the JSONL to train on */
  path: string;
  rows: number;
  /** how it was found, for the log */
  description: string;
}

interface JsonlRow {
  images: string[];
  texts: { user: string; assistant: string }[];
}

const writeJsonl = (path: string, rows: readonly JsonlRow[]): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
};

/** A JSONL as it is, or its rows without a split or with split "train" (image paths made absolute). */
function fromJsonl(file: string, workDir: string): ResolvedDataset {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const rows = lines.map((l, i) => {
    try {
      return JSON.parse(l) as JsonlRow & { split?: unknown };
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
  });
  const train = rows.filter((r) => r.split === undefined || r.split === 'train');
  if (train.length === rows.length) return { path: file, rows: rows.length, description: `${file} (${rows.length} rows)` };
  if (train.length === 0) throw new Error(`${file}: no rows of the training split (every row has another "split")`);
  const base = dirname(file);
  const absolute = train.map((r) => ({ images: (r.images ?? []).map((p) => (isAbsolute(p) ? p : resolve(base, p))), texts: r.texts }));
  const path = join(workDir, 'train.jsonl');
  writeJsonl(path, absolute);
  return { path, rows: absolute.length, description: `${file} (${absolute.length} of ${rows.length} rows: split "train")` };
}

/** Parquet rows with their images written out as files. */
async function fromParquet(file: string, workDir: string): Promise<ResolvedDataset> {
  const imageDir = join(workDir, 'images');
  mkdirSync(imageDir, { recursive: true });
  const rows: JsonlRow[] = [];
  let skipped = 0;
  for await (const entry of parquetEntries(file)) {
    if ('skip' in entry) {
      skipped++;
      continue;
    }
    if (entry.item.split !== undefined && entry.item.split !== 'train') continue;
    const images: string[] = [];
    for (const source of entry.item.images) {
      const path = join(imageDir, `${String(rows.length).padStart(6, '0')}-${images.length}.img`);
      writeFileSync(path, await readImageSource(source));
      images.push(path);
    }
    rows.push({ images, texts: entry.item.texts });
  }
  if (rows.length === 0) throw new Error(`${file}: no usable rows${skipped ? ` (${skipped} skipped)` : ''}`);
  const path = join(workDir, 'train.jsonl');
  writeJsonl(path, rows);
  return { path, rows: rows.length, description: `${file} (${rows.length} rows${skipped ? `, ${skipped} skipped` : ''})` };
}

/** A studio dataset by name: a new (or the matching) version, its "train" split. */
function fromStudio(name: string, dataDir: string, workDir: string): ResolvedDataset {
  if (!existsSync(dataDir)) throw new Error(`"${name}" is neither a file nor a dataset (no studio data folder at ${dataDir})`);
  const lock = lockDataFolder(dataDir);
  const store = DatasetStore.open(dataDir);
  try {
    const id = store.datasets.findByName(name);
    if (id === null)
      throw new Error(
        `"${name}" is neither a file nor a dataset in ${dataDir} (datasets: ${
          store
            .listDatasets()
            .map((d) => d.name)
            .join(', ') || 'none'
        })`,
      );
    const version = store.createVersion(id, { note: 'nanovlm train' });
    const rows = [...store.versionSamples(version.id, 'train')].map((s) => ({ images: s.imageIds.map((img) => store.imageFilePath(img)), texts: s.texts }));
    if (rows.length === 0) throw new Error(`dataset "${name}" has no samples in its training split`);
    const path = join(workDir, 'train.jsonl');
    writeJsonl(path, rows);
    return { path, rows: rows.length, description: `dataset "${name}" version ${version.id} (${rows.length} training samples)` };
  } finally {
    store.close();
    lock.release();
  }
}

export async function resolveTrainingDataset(reference: string, dataDir: string, workDir: string): Promise<ResolvedDataset> {
  const extension = extname(reference).toLowerCase();
  if (existsSync(reference)) {
    if (extension === '.parquet') return fromParquet(resolve(reference), workDir);
    if (extension === '.jsonl' || extension === '.json') return fromJsonl(resolve(reference), workDir);
    throw new Error(`${reference}: expected a .jsonl or .parquet file, or the name of a studio dataset`);
  }
  if (['.jsonl', '.json', '.parquet'].includes(extension)) throw new Error(`${reference}: file not found`);
  return fromStudio(reference, dataDir, workDir);
}
