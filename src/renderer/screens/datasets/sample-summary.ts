// A full sample as the grid shows it, so that an edit updates its cell without a reload.
import type { Sample, SampleSummary } from '../../../shared/datasets';

export function summaryOf(sample: Sample): SampleSummary {
  const answered = sample.turns.filter((t) => t.assistant.trim());
  return {
    id: sample.id,
    imageIds: sample.images.map((i) => i.id),
    firstQuestion: sample.turns[0]?.user ?? '',
    firstAnswer: sample.turns[0]?.assistant ?? '',
    turnCount: sample.turns.length,
    split: sample.split,
    status: sample.status,
    tags: sample.tags,
    origins: [...new Set(answered.map((t) => t.origin))],
    duplicateOf: sample.duplicateOf,
    updatedAt: sample.updatedAt,
  };
}
