// Datasets: create, find by name, list with their counts, rename, delete.
import { ApiError } from '../../shared/errors';
import type { DatasetSummary, SampleSplit, SampleStatus } from '../../shared/datasets';
import { SPLITS, STATUSES } from '../../shared/datasets';
import type { StudioDatabase } from './database';
import { prepared } from './statement-cache';

interface DatasetRow {
  id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export class UnknownDatasetError extends ApiError {
  constructor(readonly which: number | string) {
    super('not_found', typeof which === 'number' ? `no dataset with id ${which}` : `no dataset named "${which}"`);
    this.name = 'UnknownDatasetError';
  }
}

export class DatasetNameTakenError extends ApiError {
  constructor(readonly datasetName: string) {
    super('conflict', `a dataset named "${datasetName}" already exists`);
    this.name = 'DatasetNameTakenError';
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new Error(`invalid dataset name "${name}" (1 to 200 characters)`);
  return trimmed;
}

export class DatasetRepository {
  constructor(private readonly db: StudioDatabase) {}

  create(name: string, description = ''): DatasetSummary {
    const checked = checkName(name);
    if (this.findByName(checked) !== null) throw new DatasetNameTakenError(checked);
    const now = Date.now();
    const { lastInsertRowid } = prepared(this.db, 'INSERT INTO datasets (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      checked,
      description,
      now,
      now,
    );
    return this.require(Number(lastInsertRowid));
  }

  /** The dataset's id, or null. */
  findByName(name: string): number | null {
    return prepared<[string], { id: number }>(this.db, 'SELECT id FROM datasets WHERE name = ?').get(name.trim())?.id ?? null;
  }

  require(id: number): DatasetSummary {
    const row = prepared<[number], DatasetRow>(this.db, 'SELECT * FROM datasets WHERE id = ?').get(id);
    if (!row) throw new UnknownDatasetError(id);
    return this.summarise(row);
  }

  list(): DatasetSummary[] {
    return prepared<[], DatasetRow>(this.db, 'SELECT * FROM datasets ORDER BY name COLLATE NOCASE')
      .all()
      .map((r) => this.summarise(r));
  }

  update(id: number, change: { name?: string; description?: string }): DatasetSummary {
    const current = this.require(id);
    const name = change.name === undefined ? current.name : checkName(change.name);
    const other = this.findByName(name);
    if (other !== null && other !== id) throw new DatasetNameTakenError(name);
    prepared(this.db, 'UPDATE datasets SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(
      name,
      change.description ?? current.description,
      Date.now(),
      id,
    );
    return this.require(id);
  }

  touch(id: number): void {
    prepared(this.db, 'UPDATE datasets SET updated_at = ? WHERE id = ?').run(Date.now(), id);
  }

  /** Deletes a dataset and its samples; refused while versions of it exist (runs trained on them). */
  delete(id: number): void {
    this.require(id);
    const versions = prepared<[number], { n: number }>(this.db, 'SELECT count(*) AS n FROM dataset_versions WHERE dataset_id = ?').get(id)!.n;
    if (versions > 0) throw new Error(`dataset ${id} has ${versions} version(s) that runs may have trained on; it cannot be deleted`);
    prepared(this.db, 'DELETE FROM datasets WHERE id = ?').run(id);
  }

  private summarise(row: DatasetRow): DatasetSummary {
    const statusCounts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SampleStatus, number>;
    const splitCounts = Object.fromEntries(SPLITS.map((s) => [s, 0])) as Record<SampleSplit, number>;
    const counts = prepared<[number], { status: SampleStatus; split: SampleSplit; n: number }>(
      this.db,
      'SELECT status, split, count(*) AS n FROM samples WHERE dataset_id = ? AND deleted_at IS NULL GROUP BY status, split',
    ).all(row.id);
    let sampleCount = 0;
    for (const c of counts) {
      statusCounts[c.status] += c.n;
      splitCounts[c.split] += c.n;
      sampleCount += c.n;
    }
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      sampleCount,
      statusCounts,
      splitCounts,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
