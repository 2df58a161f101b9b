// What a dataset would give a run, counted before it starts: per split, the answered samples by
// status (so the form can warn about drafts nobody reviewed) and those a run leaves out (a turn
// without an answer, or rejected). The same rule as the version a run freezes (dataset-versions.ts).
import { SPLITS, STATUSES, type SampleSplit, type SampleStatus, type Turn } from '../../shared/datasets';
import type { TrainingDataCheck } from '../../shared/runs';
import type { StudioDatabase } from '../data/database';
import { isComplete } from '../data/samples/sample-content';

const perSplit = <T>(make: () => T) => Object.fromEntries(SPLITS.map((s) => [s, make()])) as Record<SampleSplit, T>;
const zeroByStatus = () => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SampleStatus, number>;

export function checkTrainingData(db: StudioDatabase, datasetId: number): TrainingDataCheck {
  const check: TrainingDataCheck = { datasetId, answered: perSplit(zeroByStatus), unanswered: perSplit(() => 0), rejected: perSplit(() => 0) };
  const rows = db.prepare('SELECT split, status, turns FROM samples WHERE dataset_id = ? AND deleted_at IS NULL').iterate(datasetId) as IterableIterator<{
    split: SampleSplit;
    status: SampleStatus;
    turns: string;
  }>;
  for (const row of rows) {
    if (row.status === 'rejected') check.rejected[row.split]++;
    else if (isComplete(JSON.parse(row.turns) as Turn[])) check.answered[row.split][row.status]++;
    else check.unanswered[row.split]++;
  }
  return check;
}
