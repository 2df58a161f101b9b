// Samples: insert (used by imports and the API), read, edit, and the grid's paged query. Writes
// run inside a transaction (better-sqlite3 turns a nested one into a savepoint).
import type {
  ImageInfo,
  NewSample,
  Sample,
  SampleFilter,
  SamplePage,
  SamplePatch,
  SampleQuery,
  SampleSplit,
  SampleStatus,
  Selection,
  Turn,
} from '../../../shared/datasets';
import { ApiError } from '../../../shared/errors';
import type { StudioDatabase } from '../database';
import { UnknownImageError } from '../images/image-store';
import { prepared } from '../statement-cache';
import { checkTexts, isComplete, normalizeTurns, originMask, sampleContentHash, searchColumns } from './sample-content';
import { filterWhere } from './sample-filter';
import { SAMPLE_COLUMNS, sideTables, toSample, toSummary, type SampleRow } from './sample-rows';

/** A sample ready to store: turns already carry their origins. */
export interface SampleRecord {
  imageIds: string[];
  turns: Turn[];
  split: SampleSplit;
  status: SampleStatus;
  tags: string[];
  source: string | null;
}

export class UnknownSampleError extends ApiError {
  constructor(readonly id: number) {
    super('not_found', `no sample with id ${id}`);
    this.name = 'UnknownSampleError';
  }
}

export const DEFAULT_PAGE_SIZE = 100;

export class SampleRepository {
  constructor(private readonly db: StudioDatabase) {}

  /** Stores one sample; flags it when an earlier sample of the dataset has the same content. */
  insert(datasetId: number, record: SampleRecord): { id: number; duplicateOf: number | null } {
    checkTexts(record.turns);
    return this.db.transaction(() => {
      const hash = sampleContentHash(record.imageIds, record.turns);
      const duplicateOf = this.findDuplicate(datasetId, hash, 0);
      const now = Date.now();
      const { lastInsertRowid } = prepared(
        this.db,
        `INSERT INTO samples (dataset_id, turns, split, status, origin_mask, content_hash, duplicate_of, source, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(datasetId, JSON.stringify(record.turns), record.split, record.status, originMask(record.turns), hash, duplicateOf, record.source, now, now);
      const id = Number(lastInsertRowid);
      this.writeImages(id, record.imageIds);
      this.writeTags(id, record.tags);
      this.writeSearch(id, record.turns);
      return { id, duplicateOf };
    })();
  }

  /** A new sample made in the studio (not imported): answers default to a person's. */
  create(datasetId: number, input: NewSample): Sample {
    const turns = normalizeTurns(input.turns ?? []);
    const status = input.status ?? (isComplete(turns) ? 'done' : 'todo');
    const { id } = this.insert(datasetId, { imageIds: input.imageIds, turns, split: input.split ?? 'train', status, tags: input.tags ?? [], source: null });
    return this.require(id);
  }

  get(id: number): Sample | null {
    const row = prepared<[number], SampleRow>(this.db, `SELECT ${SAMPLE_COLUMNS} FROM samples s WHERE s.id = ? AND s.deleted_at IS NULL`).get(id);
    if (!row) return null;
    const images = prepared<[number], ImageInfo>(
      this.db,
      'SELECT i.id, i.width, i.height, i.format, i.bytes FROM sample_images si JOIN images i ON i.id = si.image_id WHERE si.sample_id = ? ORDER BY si.position',
    ).all(id);
    return toSample(row, images, sideTables(this.db, [id]).tags.get(id) ?? []);
  }

  require(id: number): Sample {
    const sample = this.get(id);
    if (!sample) throw new UnknownSampleError(id);
    return sample;
  }

  /** Edits a sample: turns (add, edit, delete, reorder: the new list), images, split, status, tags. */
  update(id: number, patch: SamplePatch): Sample {
    this.db.transaction(() => {
      const current = this.require(id);
      const turns = patch.turns ? normalizeTurns(patch.turns) : current.turns;
      if (patch.turns) checkTexts(turns);
      const imageIds = patch.imageIds ?? current.images.map((i) => i.id);
      const hash = sampleContentHash(imageIds, turns);
      prepared(
        this.db,
        `UPDATE samples SET turns = ?, split = ?, status = ?, origin_mask = ?, content_hash = ?, duplicate_of = ?, updated_at = ? WHERE id = ?`,
      ).run(
        JSON.stringify(turns),
        patch.split ?? current.split,
        patch.status ?? current.status,
        originMask(turns),
        hash,
        this.findDuplicate(current.datasetId, hash, id),
        Date.now(),
        id,
      );
      if (patch.imageIds) this.writeImages(id, imageIds, true);
      if (patch.tags) this.writeTags(id, patch.tags, true);
      if (patch.turns) this.writeSearch(id, turns, true);
    })();
    return this.require(id);
  }

  /** One page of the grid, newest last (order "asc") or first ("desc"), by keyset on the id. */
  page(query: SampleQuery): SamplePage {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const desc = query.order === 'desc';
    const where = filterWhere(query.datasetId, query.filter);
    const after = parseCursor(query.cursor);
    const keyset = after === null ? '' : ` AND s.id ${desc ? '<' : '>'} @after`;
    const offset = after === null ? (query.offset ?? 0) : 0;
    const rows = prepared<Record<string, string | number>, SampleRow>(
      this.db,
      `SELECT ${SAMPLE_COLUMNS} FROM samples s WHERE ${where.sql}${keyset} ORDER BY s.id ${desc ? 'DESC' : 'ASC'} LIMIT @limit OFFSET @offset`,
    ).all({ ...where.params, ...(after === null ? {} : { after }), limit: limit + 1, offset });
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const side = sideTables(
      this.db,
      pageRows.map((r) => r.id),
    );
    return {
      items: pageRows.map((r) => toSummary(r, side.images.get(r.id) ?? [], side.tags.get(r.id) ?? [])),
      nextCursor: more ? String(pageRows[pageRows.length - 1]!.id) : null,
    };
  }

  count(datasetId: number, filter?: SampleFilter): number {
    const where = filterWhere(datasetId, filter);
    return prepared<Record<string, string | number>, { n: number }>(this.db, `SELECT count(*) AS n FROM samples s WHERE ${where.sql}`).get(where.params)!.n;
  }

  /** The (live) sample ids of a selection, in id order; listed ids of another dataset are ignored. */
  selectedIds(selection: Selection): number[] {
    if ('ids' in selection) {
      return prepared<[number, string], { id: number }>(
        this.db,
        'SELECT id FROM samples WHERE dataset_id = ? AND deleted_at IS NULL AND id IN (SELECT value FROM json_each(?)) ORDER BY id',
      )
        .all(selection.datasetId, JSON.stringify(selection.ids))
        .map((r) => r.id);
    }
    const where = filterWhere(selection.datasetId, selection.filter);
    return prepared<Record<string, string | number>, { id: number }>(this.db, `SELECT s.id FROM samples s WHERE ${where.sql} ORDER BY s.id`)
      .all(where.params)
      .map((r) => r.id);
  }

  private findDuplicate(datasetId: number, hash: string, exceptId: number): number | null {
    const row = prepared<[number, string, number], { id: number }>(
      this.db,
      'SELECT id FROM samples WHERE dataset_id = ? AND content_hash = ? AND deleted_at IS NULL AND id != ? ORDER BY id LIMIT 1',
    ).get(datasetId, hash, exceptId);
    return row?.id ?? null;
  }

  private writeImages(id: number, imageIds: readonly string[], replace = false): void {
    if (replace) prepared(this.db, 'DELETE FROM sample_images WHERE sample_id = ?').run(id);
    const insert = prepared(this.db, 'INSERT INTO sample_images (sample_id, position, image_id) VALUES (?, ?, ?)');
    const known = prepared<[string], { id: string }>(this.db, 'SELECT id FROM images WHERE id = ?');
    imageIds.forEach((imageId, position) => {
      if (!known.get(imageId)) throw new UnknownImageError(imageId);
      insert.run(id, position, imageId);
    });
  }

  private writeTags(id: number, tags: readonly string[], replace = false): void {
    if (replace) prepared(this.db, 'DELETE FROM sample_tags WHERE sample_id = ?').run(id);
    const insert = prepared(this.db, 'INSERT OR IGNORE INTO sample_tags (sample_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(id, tag.trim());
  }

  private writeSearch(id: number, turns: readonly Turn[], replace = false): void {
    if (replace) prepared(this.db, 'DELETE FROM sample_search WHERE rowid = ?').run(id);
    const { questions, answers } = searchColumns(turns);
    prepared(this.db, 'INSERT INTO sample_search (rowid, questions, answers) VALUES (?, ?, ?)').run(id, questions, answers);
  }
}

function parseCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const n = Number(cursor);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid page cursor "${cursor}"`);
  return n;
}
