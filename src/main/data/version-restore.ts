// What changed between two versions of a dataset (or a version and the dataset as it is now), and
// putting a version back. Versions hold the trainable samples (every turn answered, not rejected)
// by sample id, so a diff pairs samples by id: added, removed, edited (split, images or texts).
// Restoring first takes a version of the current state (nothing is lost: it can be restored in
// turn), then makes the trainable samples exactly the version's: samples it lacks are deleted (the
// undo token comes back), samples it has are written back (deleted ones brought back, purged
// ones made anew), all in one transaction.
import type { DatasetVersion, RestoreResult, VersionDiff, VersionDiffSample } from '../../shared/datasets';
import type { StudioDatabase } from './database';
import { trainableSamples, type DatasetVersions, type VersionSample } from './dataset-versions';
import { deleteSamples } from './samples/bulk-actions';
import type { SampleRepository } from './samples/sample-repo';
import { prepared } from './statement-cache';

/** The diff lists at most this many samples of each kind; the counts are always whole. */
export const DIFF_LIST_LIMIT = 200;

type Side = VersionSample[];

function summary(s: VersionSample): VersionDiffSample {
  return {
    sampleId: s.sampleId,
    split: s.split,
    images: s.imageIds.length,
    question: s.texts[0]?.user ?? '',
    answer: s.texts[0]?.assistant ?? '',
    turns: s.texts.length,
  };
}

function changes(before: VersionSample, after: VersionSample): ('split' | 'images' | 'texts')[] {
  const changed: ('split' | 'images' | 'texts')[] = [];
  if (before.split !== after.split) changed.push('split');
  if (JSON.stringify(before.imageIds) !== JSON.stringify(after.imageIds)) changed.push('images');
  if (JSON.stringify(before.texts) !== JSON.stringify(after.texts)) changed.push('texts');
  return changed;
}

/** Samples of `to` that `from` lacks, those it has that `to` lacks, and those both have but differ. */
export function diffSides(from: Side, to: Side): Omit<VersionDiff, 'from' | 'to'> {
  const before = new Map(from.map((s) => [s.sampleId, s]));
  const after = new Map(to.map((s) => [s.sampleId, s]));
  const added = to.filter((s) => !before.has(s.sampleId));
  const removed = from.filter((s) => !after.has(s.sampleId));
  const edited = to.flatMap((s) => {
    const old = before.get(s.sampleId);
    const changed = old ? changes(old, s) : [];
    return old && changed.length ? [{ sampleId: s.sampleId, before: summary(old), after: summary(s), changed }] : [];
  });
  return {
    counts: { added: added.length, removed: removed.length, edited: edited.length, unchanged: to.length - added.length - edited.length },
    added: added.slice(0, DIFF_LIST_LIMIT).map(summary),
    removed: removed.slice(0, DIFF_LIST_LIMIT).map(summary),
    edited: edited.slice(0, DIFF_LIST_LIMIT),
  };
}

export class VersionRestore {
  constructor(
    private readonly db: StudioDatabase,
    private readonly versions: DatasetVersions,
    private readonly samples: SampleRepository,
  ) {}

  /** `to`: a version id, or "current" for the dataset's trainable samples now. */
  diff(datasetId: number, fromId: number, toId: number | 'current'): VersionDiff {
    const from = this.versionOf(datasetId, fromId);
    const to = toId === 'current' ? 'current' : this.versionOf(datasetId, toId);
    const toSide = to === 'current' ? trainableSamples(this.db, datasetId) : [...this.versions.samples(to.id)];
    return { from, to, ...diffSides([...this.versions.samples(from.id)], toSide) };
  }

  restore(datasetId: number, versionId: number): RestoreResult {
    const version = this.versionOf(datasetId, versionId);
    return this.db.transaction((): RestoreResult => {
      const now = trainableSamples(this.db, datasetId);
      const savedAs = now.length ? this.versions.create(datasetId, { note: `before restoring version ${version.contentHash.slice(0, 10)}` }) : null;
      const target = [...this.versions.samples(version.id)];
      const change = diffSides(now, target);
      const wanted = new Set(target.map((s) => s.sampleId));
      const extra = now.filter((s) => !wanted.has(s.sampleId)).map((s) => s.sampleId);
      const deleted = extra.length ? deleteSamples(this.db, extra) : null;
      const current = new Map(now.map((s) => [s.sampleId, s]));
      for (const s of target) {
        const live = current.get(s.sampleId);
        if (!live) this.bringBack(datasetId, s);
        else if (changes(live, s).length) this.writeBack(s.sampleId, s);
      }
      return { restored: version, savedAs, counts: change.counts, undoToken: deleted?.undoToken ?? null };
    })();
  }

  private versionOf(datasetId: number, id: number): DatasetVersion {
    const version = this.versions.require(id);
    if (version.datasetId !== datasetId) throw new Error(`dataset version ${id} belongs to another dataset (${version.datasetId}), not ${datasetId}`);
    return version;
  }

  /** A version sample that is not trainable now: its row brought back and rewritten, or made anew. */
  private bringBack(datasetId: number, s: VersionSample): void {
    const row = prepared<[number], { dataset_id: number; status: string }>(this.db, 'SELECT dataset_id, status FROM samples WHERE id = ?').get(s.sampleId);
    if (!row || row.dataset_id !== datasetId) {
      this.samples.create(datasetId, { imageIds: s.imageIds, turns: turnsOf(s), split: s.split, status: 'done' });
      return;
    }
    prepared(this.db, 'UPDATE samples SET deleted_at = NULL, delete_token = NULL WHERE id = ?').run(s.sampleId);
    // it was answered and not rejected when the version was taken
    this.writeBack(s.sampleId, s, row.status === 'rejected' || row.status === 'todo' ? 'done' : undefined);
  }

  private writeBack(id: number, s: VersionSample, status?: 'done'): void {
    const sample = this.samples.require(id);
    // a turn whose texts are unchanged keeps who wrote it; a rewritten one is the version's (a person's)
    const turns = s.texts.map((t, i) => {
      const old = sample.turns[i];
      return old && old.user === t.user && old.assistant === t.assistant ? old : { user: t.user, assistant: t.assistant, origin: 'person' as const };
    });
    this.samples.update(id, { turns, imageIds: s.imageIds, split: s.split, ...(status ? { status } : {}) });
  }
}

function turnsOf(s: VersionSample) {
  return s.texts.map((t) => ({ user: t.user, assistant: t.assistant, origin: 'person' as const }));
}
