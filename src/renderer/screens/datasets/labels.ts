// Words and keys for statuses, splits and origins, shared by the filters, cells, editor and sheet.
import type { AnswerOrigin, SampleSplit, SampleStatus } from '../../../shared/datasets';

export const STATUS_LABELS: Record<SampleStatus, string> = { todo: 'To do', draft: 'Draft', review: 'Review', done: 'Done', rejected: 'Rejected' };
export const SPLIT_LABELS: Record<SampleSplit, string> = { train: 'Train', val: 'Val', test: 'Test' };
export const ORIGIN_LABELS: Record<AnswerOrigin, string> = { import: 'Imported', person: 'Person', model: 'Model' };

/** Digit keys that set a status (1–5) and, with Shift, a split (⇧1–⇧3). */
export const STATUS_KEYS: Record<string, SampleStatus> = { '1': 'todo', '2': 'draft', '3': 'review', '4': 'done', '5': 'rejected' };
export const SPLIT_CODES: Record<string, SampleSplit> = { Digit1: 'train', Digit2: 'val', Digit3: 'test' };

export function statusKey(status: SampleStatus): string {
  return Object.entries(STATUS_KEYS).find(([, s]) => s === status)![0];
}

export function splitKey(split: SampleSplit): string {
  return `⇧${Object.entries(SPLIT_CODES)
    .find(([, s]) => s === split)![0]
    .slice(-1)}`;
}
