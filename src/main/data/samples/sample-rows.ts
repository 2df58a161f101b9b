// Rows of `samples` and their side tables, turned into the plain objects the API returns.
import type { ImageInfo, Sample, SampleSplit, SampleStatus, SampleSummary, Turn } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { originsOf } from './sample-content';

export interface SampleRow {
  id: number;
  dataset_id: number;
  turns: string;
  split: SampleSplit;
  status: SampleStatus;
  origin_mask: number;
  duplicate_of: number | null;
  source: string | null;
  created_at: number;
  updated_at: number;
}

export const SAMPLE_COLUMNS = 's.id, s.dataset_id, s.turns, s.split, s.status, s.origin_mask, s.duplicate_of, s.source, s.created_at, s.updated_at';

export function toSummary(row: SampleRow, imageIds: string[], tags: string[]): SampleSummary {
  const turns = JSON.parse(row.turns) as Turn[];
  return {
    id: row.id,
    imageIds,
    firstQuestion: turns[0]?.user ?? '',
    firstAnswer: turns[0]?.assistant ?? '',
    turnCount: turns.length,
    split: row.split,
    status: row.status,
    tags,
    origins: originsOf(row.origin_mask),
    duplicateOf: row.duplicate_of,
    updatedAt: row.updated_at,
  };
}

export function toSample(row: SampleRow, images: ImageInfo[], tags: string[]): Sample {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    images,
    turns: JSON.parse(row.turns) as Turn[],
    split: row.split,
    status: row.status,
    tags,
    duplicateOf: row.duplicate_of,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** image ids and tags of many samples in two queries (for a page of the grid) */
export function sideTables(db: StudioDatabase, ids: readonly number[]): { images: Map<number, string[]>; tags: Map<number, string[]> } {
  const images = new Map<number, string[]>();
  const tags = new Map<number, string[]>();
  if (ids.length === 0) return { images, tags };
  const list = JSON.stringify(ids);
  const imageRows = db
    .prepare<[string], { sample_id: number; image_id: string }>(
      'SELECT sample_id, image_id FROM sample_images WHERE sample_id IN (SELECT value FROM json_each(?)) ORDER BY sample_id, position',
    )
    .all(list);
  for (const r of imageRows) push(images, r.sample_id, r.image_id);
  const tagRows = db
    .prepare<[string], { sample_id: number; tag: string }>(
      'SELECT sample_id, tag FROM sample_tags WHERE sample_id IN (SELECT value FROM json_each(?)) ORDER BY sample_id, tag',
    )
    .all(list);
  for (const r of tagRows) push(tags, r.sample_id, r.tag);
  return { images, tags };
}

function push(map: Map<number, string[]>, key: number, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
