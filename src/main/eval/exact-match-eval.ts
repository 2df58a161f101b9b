// Exact-match accuracy on a VQA JSONL, overall and per question type (the first tag of each row,
// "untagged" when it has none), from one right/wrong outcome per row.
import { readFileSync } from 'node:fs';
import { readVqaJsonl, type VqaRecord } from '../training/data/vqa-records';
import { isCorrectAnswer } from './answer-match';

export interface TypeAccuracy {
  type: string;
  correct: number;
  total: number;
  accuracy: number;
}

export interface ExactMatchReport {
  correct: number;
  total: number;
  accuracy: number;
  byType: TypeAccuracy[];
}

export interface TaggedRecord {
  record: VqaRecord;
  type: string;
}

/** The rows of a JSONL with their question type (first tag). */
export function readTaggedRecords(path: string): TaggedRecord[] {
  const records = readVqaJsonl(path);
  const tags = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { tags?: unknown }).tags);
  return records.map((record, i) => {
    const first = Array.isArray(tags[i]) ? tags[i][0] : undefined;
    return { record, type: typeof first === 'string' ? first : 'untagged' };
  });
}

/** The report from one right/wrong outcome per item. */
export function exactMatchReport(items: readonly TaggedRecord[], correct: readonly boolean[]): ExactMatchReport {
  const tally = new Map<string, { correct: number; total: number }>();
  items.forEach((item, i) => {
    const t = tally.get(item.type) ?? { correct: 0, total: 0 };
    t.total++;
    if (correct[i]) t.correct++;
    tally.set(item.type, t);
  });
  const byType = [...tally].map(([type, t]) => ({ type, ...t, accuracy: t.correct / t.total }));
  const right = byType.reduce((n, t) => n + t.correct, 0);
  return { correct: right, total: items.length, accuracy: items.length ? right / items.length : 0, byType };
}

/** Answers compared with each item's last answer, after trimming. */
export function answersCorrect(items: readonly TaggedRecord[], answers: readonly string[]): boolean[] {
  return items.map((item, i) => isCorrectAnswer(item.record.texts[item.record.texts.length - 1]!.assistant ?? '', answers[i] ?? ''));
}
