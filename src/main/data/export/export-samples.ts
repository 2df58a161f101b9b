// The samples an export writes, read a page at a time (an export never holds a whole dataset).
import type { SampleSplit, SampleStatus, Turn } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { isComplete } from '../samples/sample-content';
import { prepared } from '../statement-cache';

export interface ExportSample {
  id: number;
  imageIds: string[];
  turns: Turn[];
  split: SampleSplit;
  status: SampleStatus;
  tags: string[];
}

export interface ExportSelection {
  /** only these statuses (default: all) */
  statuses?: SampleStatus[];
  /** leave out rejected samples and those with an unanswered turn (what training needs) */
  trainableOnly?: boolean;
}

const PAGE = 500;

/** Samples in id order; calls `onLeftOut` for each one the selection leaves out, with why. */
export function* exportSamples(
  db: StudioDatabase,
  datasetId: number,
  selection: ExportSelection,
  onLeftOut: (id: number, reason: string) => void,
): Generator<ExportSample> {
  const page = prepared<[number, number, number], { id: number; turns: string; split: SampleSplit; status: SampleStatus; image_ids: string; tags: string }>(
    db,
    `SELECT s.id, s.turns, s.split, s.status,
       (SELECT json_group_array(image_id) FROM (SELECT image_id FROM sample_images WHERE sample_id = s.id ORDER BY position)) AS image_ids,
       (SELECT json_group_array(tag) FROM (SELECT tag FROM sample_tags WHERE sample_id = s.id ORDER BY tag)) AS tags
     FROM samples s WHERE s.dataset_id = ? AND s.deleted_at IS NULL AND s.id > ? ORDER BY s.id LIMIT ?`,
  );
  let after = 0;
  for (;;) {
    const rows = page.all(datasetId, after, PAGE);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    for (const r of rows) {
      const turns = JSON.parse(r.turns) as Turn[];
      if (selection.statuses && !selection.statuses.includes(r.status)) continue;
      if (selection.trainableOnly && r.status === 'rejected') {
        onLeftOut(r.id, 'rejected');
        continue;
      }
      if (selection.trainableOnly && !isComplete(turns)) {
        onLeftOut(r.id, turns.length ? 'a turn has no answer yet' : 'no question or answer yet');
        continue;
      }
      yield { id: r.id, imageIds: JSON.parse(r.image_ids) as string[], turns, split: r.split, status: r.status, tags: JSON.parse(r.tags) as string[] };
    }
  }
}
