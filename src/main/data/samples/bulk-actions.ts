// Actions on a selection of samples: status, split, tags, and delete with undo. Deleting marks
// the samples with a token; restoring with that token brings them back exactly as they were.
import { randomUUID } from 'node:crypto';
import type { BulkChange, DeleteResult } from '../../../shared/datasets';
import type { StudioDatabase } from '../database';
import { prepared } from '../statement-cache';

export function applyBulkChange(db: StudioDatabase, ids: readonly number[], change: BulkChange): number {
  const list = JSON.stringify(ids);
  const now = Date.now();
  return db.transaction(() => {
    const sets: string[] = [];
    if (change.status) sets.push('status = @status');
    if (change.split) sets.push('split = @split');
    let changed = 0;
    const idsOnly = 'id IN (SELECT value FROM json_each(@list)) AND deleted_at IS NULL';
    if (sets.length) {
      changed = db
        .prepare(`UPDATE samples SET ${sets.join(', ')}, updated_at = @now WHERE ${idsOnly}`)
        .run({ list, now, status: change.status ?? null, split: change.split ?? null }).changes;
    }
    for (const tag of change.addTags ?? []) {
      prepared(db, 'INSERT OR IGNORE INTO sample_tags (sample_id, tag) SELECT value, ? FROM json_each(?)').run(tag.trim(), list);
    }
    for (const tag of change.removeTags ?? []) {
      prepared(db, 'DELETE FROM sample_tags WHERE tag = ? AND sample_id IN (SELECT value FROM json_each(?))').run(tag.trim(), list);
    }
    if (change.addTags?.length || change.removeTags?.length) {
      changed = prepared(db, `UPDATE samples SET updated_at = @now WHERE ${idsOnly}`).run({ list, now }).changes;
    }
    return changed;
  })();
}

export function deleteSamples(db: StudioDatabase, ids: readonly number[]): DeleteResult {
  const undoToken = randomUUID();
  const { changes } = prepared(
    db,
    'UPDATE samples SET deleted_at = ?, delete_token = ? WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL',
  ).run(Date.now(), undoToken, JSON.stringify(ids));
  return { deleted: changes, undoToken };
}

/** Undoes a delete; returns how many samples came back (0 for an unknown or used token). */
export function restoreSamples(db: StudioDatabase, undoToken: string): number {
  return prepared(db, 'UPDATE samples SET deleted_at = NULL, delete_token = NULL WHERE delete_token = ?').run(undoToken).changes;
}

/** Removes for good the samples deleted before `olderThan` (ms since the epoch). */
export function purgeDeletedSamples(db: StudioDatabase, olderThan: number): number {
  return db.transaction(() => {
    // Duplicate flags that point at a purged sample are cleared by ON DELETE SET NULL.
    return prepared(db, 'DELETE FROM samples WHERE deleted_at IS NOT NULL AND deleted_at < ?').run(olderThan).changes;
  })();
}
