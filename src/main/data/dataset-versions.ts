// Dataset versions: a frozen copy of the trainable samples (live, not rejected, every turn
// answered), named by a sha256 over their content. The same content gives the same version;
// triggers in the schema refuse any change to a version once taken.
import { createHash } from 'node:crypto';
import type { DatasetVersion, SampleSplit, SampleStatus, Turn } from '../../shared/datasets';
import type { StudioDatabase } from './database';
import { isComplete } from './samples/sample-content';
import { prepared } from './statement-cache';

export interface VersionSample {
  sampleId: number;
  split: SampleSplit;
  imageIds: string[];
  texts: { user: string; assistant: string }[];
}

interface VersionRow {
  id: number;
  dataset_id: number;
  content_hash: string;
  note: string;
  sample_count: number;
  split_counts: string;
  created_at: number;
}

function toVersion(row: VersionRow): DatasetVersion {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    contentHash: row.content_hash,
    note: row.note,
    sampleCount: row.sample_count,
    splitCounts: JSON.parse(row.split_counts) as Record<SampleSplit, number>,
    createdAt: row.created_at,
  };
}

/** The samples a version of the dataset would freeze now, in id order. */
export function trainableSamples(db: StudioDatabase, datasetId: number, statuses?: readonly SampleStatus[]): VersionSample[] {
  const rows = prepared<[number], { id: number; split: SampleSplit; status: SampleStatus; turns: string; image_ids: string }>(
    db,
    `SELECT s.id, s.split, s.status, s.turns,
       (SELECT json_group_array(image_id) FROM (SELECT image_id FROM sample_images WHERE sample_id = s.id ORDER BY position)) AS image_ids
     FROM samples s WHERE s.dataset_id = ? AND s.deleted_at IS NULL AND s.status != 'rejected' ORDER BY s.id`,
  ).all(datasetId);
  const result: VersionSample[] = [];
  for (const r of rows) {
    if (statuses && !statuses.includes(r.status)) continue;
    const turns = JSON.parse(r.turns) as Turn[];
    if (!isComplete(turns)) continue;
    result.push({
      sampleId: r.id,
      split: r.split,
      imageIds: JSON.parse(r.image_ids) as string[],
      texts: turns.map((t) => ({ user: t.user, assistant: t.assistant })),
    });
  }
  return result;
}

export function versionHash(samples: readonly VersionSample[]): string {
  const hash = createHash('sha256');
  for (const s of samples) hash.update(`${JSON.stringify([s.split, s.imageIds, s.texts.map((t) => [t.user, t.assistant])])}\n`);
  return hash.digest('hex');
}

export class DatasetVersions {
  constructor(private readonly db: StudioDatabase) {}

  /** Freezes the dataset's trainable samples; returns the existing version if nothing changed. */
  create(datasetId: number, options: { note?: string; statuses?: SampleStatus[] } = {}): DatasetVersion {
    return this.db.transaction(() => {
      const samples = trainableSamples(this.db, datasetId, options.statuses);
      if (samples.length === 0) throw new Error(`dataset ${datasetId} has no trainable samples (every turn answered, not rejected)`);
      const contentHash = versionHash(samples);
      const existing = prepared<[number, string], VersionRow>(this.db, 'SELECT * FROM dataset_versions WHERE dataset_id = ? AND content_hash = ?').get(
        datasetId,
        contentHash,
      );
      if (existing) return toVersion(existing);
      const splitCounts: Record<SampleSplit, number> = { train: 0, val: 0, test: 0 };
      for (const s of samples) splitCounts[s.split]++;
      const { lastInsertRowid } = prepared(
        this.db,
        'INSERT INTO dataset_versions (dataset_id, content_hash, note, sample_count, split_counts, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(datasetId, contentHash, options.note ?? '', samples.length, JSON.stringify(splitCounts), Date.now());
      const insert = prepared(
        this.db,
        'INSERT INTO dataset_version_samples (version_id, position, sample_id, split, image_ids, texts) VALUES (?, ?, ?, ?, ?, ?)',
      );
      samples.forEach((s, i) => insert.run(lastInsertRowid, i, s.sampleId, s.split, JSON.stringify(s.imageIds), JSON.stringify(s.texts)));
      return this.require(Number(lastInsertRowid));
    })();
  }

  require(id: number): DatasetVersion {
    const row = prepared<[number], VersionRow>(this.db, 'SELECT * FROM dataset_versions WHERE id = ?').get(id);
    if (!row) throw new Error(`no dataset version with id ${id}`);
    return toVersion(row);
  }

  list(datasetId: number): DatasetVersion[] {
    return prepared<[number], VersionRow>(this.db, 'SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY id').all(datasetId).map(toVersion);
  }

  /** The frozen samples of a version, in order (what the trainer reads), optionally one split. */
  *samples(versionId: number, split?: SampleSplit): Generator<VersionSample> {
    const rows = prepared<[number], { sample_id: number; split: SampleSplit; image_ids: string; texts: string }>(
      this.db,
      'SELECT sample_id, split, image_ids, texts FROM dataset_version_samples WHERE version_id = ? ORDER BY position',
    ).iterate(versionId);
    for (const r of rows) {
      if (split && r.split !== split) continue;
      yield { sampleId: r.sample_id, split: r.split, imageIds: JSON.parse(r.image_ids) as string[], texts: JSON.parse(r.texts) as VersionSample['texts'] };
    }
  }
}
