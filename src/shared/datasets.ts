// Datasets as every process sees them: plain JSON-serialisable objects, with zod schemas for the
// inputs that cross the API boundary (the renderer's requests are validated by these).
import { z } from 'zod';
import { MAX_TAG_CHARS, MAX_TAGS, MAX_TURN_TEXT_CHARS, MAX_TURNS } from './limits';
import type { DownloadTicket } from './jobs';

export const SPLITS = ['train', 'val', 'test'] as const;
export const STATUSES = ['todo', 'draft', 'review', 'done', 'rejected'] as const;
export const ORIGINS = ['import', 'person', 'model'] as const;

export const splitSchema = z.enum(SPLITS);
export const statusSchema = z.enum(STATUSES);
export const originSchema = z.enum(ORIGINS);

export type SampleSplit = z.infer<typeof splitSchema>;
export type SampleStatus = z.infer<typeof statusSchema>;
/** Where an answer came from: imported data, a person, or a model (named in `model`). */
export type AnswerOrigin = z.infer<typeof originSchema>;

/** An image id: the sha256 of the file's bytes, 64 lowercase hex digits. Opaque to callers. */
export const imageIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'not an image id');
export const tagSchema = z.string().trim().min(1).max(MAX_TAG_CHARS);

export interface Turn {
  user: string;
  assistant: string;
  origin: AnswerOrigin;
  /** the model that drafted the answer, when origin is "model" */
  model?: string;
}

/** A turn as written by a caller: an answer without an origin is a person's. */
/** A question or an answer: at most MAX_TURN_TEXT_CHARS characters. */
export const turnTextSchema = z.string().max(MAX_TURN_TEXT_CHARS, `at most ${MAX_TURN_TEXT_CHARS} characters`);

export const turnInputSchema = z.object({
  user: turnTextSchema,
  assistant: turnTextSchema,
  origin: originSchema.optional(),
  model: z.string().min(1).optional(),
});
export type TurnInput = z.infer<typeof turnInputSchema>;

export interface ImageInfo {
  id: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
}

export interface Sample {
  id: number;
  datasetId: number;
  images: ImageInfo[];
  turns: Turn[];
  split: SampleSplit;
  status: SampleStatus;
  tags: string[];
  /** id of an earlier sample with exactly the same images and texts, if any */
  duplicateOf: number | null;
  /** where it was imported from ("file" or "file:row"), if imported */
  source: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One cell of the annotation grid. */
export interface SampleSummary {
  id: number;
  imageIds: string[];
  firstQuestion: string;
  firstAnswer: string;
  turnCount: number;
  split: SampleSplit;
  status: SampleStatus;
  tags: string[];
  origins: AnswerOrigin[];
  duplicateOf: number | null;
  updatedAt: number;
}

export const sampleFilterSchema = z.object({
  status: z.array(statusSchema).optional(),
  split: z.array(splitSchema).optional(),
  tag: tagSchema.optional(),
  /** samples with at least one answer of one of these origins */
  origin: z.array(originSchema).optional(),
  /** words searched in questions and answers (full-text, prefix match) */
  text: z.string().max(500).optional(),
  duplicatesOnly: z.boolean().optional(),
});
export type SampleFilter = z.infer<typeof sampleFilterSchema>;

export const sampleQuerySchema = z.object({
  datasetId: z.number().int().positive(),
  filter: sampleFilterSchema.optional(),
  /** from a previous page's nextCursor */
  cursor: z
    .string()
    .regex(/^\d{0,16}$/, 'not a page cursor (pass back a nextCursor)')
    .nullable()
    .optional(),
  /** without a cursor: skip this many matching samples (random access, e.g. a scrollbar jump) */
  offset: z.number().int().min(0).max(100_000_000).optional(),
  limit: z.number().int().min(1).max(500).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});
export type SampleQuery = z.infer<typeof sampleQuerySchema>;

export interface SamplePage {
  items: SampleSummary[];
  /** pass back as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

export const samplePatchSchema = z.object({
  turns: z.array(turnInputSchema).max(MAX_TURNS).optional(),
  imageIds: z.array(imageIdSchema).min(1).max(16).optional(),
  split: splitSchema.optional(),
  status: statusSchema.optional(),
  tags: z.array(tagSchema).max(MAX_TAGS).optional(),
});
export type SamplePatch = z.infer<typeof samplePatchSchema>;

export const newSampleSchema = samplePatchSchema.extend({
  imageIds: z.array(imageIdSchema).min(1).max(16),
});
export type NewSample = z.infer<typeof newSampleSchema>;

/**
 * A selection for bulk actions: listed ids, or every sample matching a filter. With a filter,
 * `expectedCount` is how many samples the person saw matching it: an action that would touch
 * another number (the data changed, or the filter is not what the grid showed) is refused.
 */
export const selectionSchema = z.union([
  z.object({ datasetId: z.number().int().positive(), ids: z.array(z.number().int().positive()).max(200_000) }),
  z.object({ datasetId: z.number().int().positive(), filter: sampleFilterSchema, expectedCount: z.number().int().min(0).optional() }),
]);
export type Selection = z.infer<typeof selectionSchema>;

/** What bulk changes and deletes accept: a selection by filter must say how many the person saw. */
export const bulkSelectionSchema = z.union([
  z.object({ datasetId: z.number().int().positive(), ids: z.array(z.number().int().positive()).max(200_000) }),
  z.object({ datasetId: z.number().int().positive(), filter: sampleFilterSchema, expectedCount: z.number().int().min(0) }),
]);
export type BulkSelection = z.infer<typeof bulkSelectionSchema>;

export const bulkChangeSchema = z.object({
  status: statusSchema.optional(),
  split: splitSchema.optional(),
  addTags: z.array(tagSchema).max(MAX_TAGS).optional(),
  removeTags: z.array(tagSchema).max(MAX_TAGS).optional(),
});
export type BulkChange = z.infer<typeof bulkChangeSchema>;

export interface DeleteResult {
  deleted: number;
  /** give to restoreSamples to undo */
  undoToken: string;
}

export const splitRatiosSchema = z
  .object({ train: z.number().min(0), val: z.number().min(0), test: z.number().min(0) })
  .refine((r) => r.train + r.val + r.test > 0, 'split ratios must not all be zero');
export type SplitRatios = z.infer<typeof splitRatiosSchema>;

/** One sample as a version diff lists it. */
export interface VersionDiffSample {
  sampleId: number;
  split: SampleSplit;
  images: number;
  turns: number;
  /** the first turn's */
  question: string;
  answer: string;
}

/** What changed from one dataset version to another (or to the dataset's trainable samples now). */
export interface VersionDiff {
  from: DatasetVersion;
  to: DatasetVersion | 'current';
  counts: { added: number; removed: number; edited: number; unchanged: number };
  /** each list holds at most 200 samples; the counts are whole */
  added: VersionDiffSample[];
  removed: VersionDiffSample[];
  edited: { sampleId: number; before: VersionDiffSample; after: VersionDiffSample; changed: ('split' | 'images' | 'texts')[] }[];
}

export interface RestoreResult {
  restored: DatasetVersion;
  /** the version the dataset was saved as first (null when it had no trainable samples) */
  savedAs: DatasetVersion | null;
  /** from the dataset as it was to the version */
  counts: VersionDiff['counts'];
  /** brings back the samples the restore deleted (samples.restore), if it deleted any */
  undoToken: string | null;
}

/** What a split keeps in proportion: nothing, each tag (a sample's first, alphabetically), each question type. */
export const SPLIT_STRATIFICATIONS = ['none', 'tag', 'question-type'] as const;
export type SplitStratification = (typeof SPLIT_STRATIFICATIONS)[number];

export interface SplitAssignment {
  counts: Record<SampleSplit, number>;
  /** groups of samples that share an image, each kept on one side */
  groups: number;
  /** stratified: the counts of each stratum, by name */
  strata?: { name: string; counts: Record<SampleSplit, number> }[];
}

/** An image whose samples sit in more than one split (a leak between train and evaluation). */
export interface SplitLeak {
  imageId: string;
  splits: SampleSplit[];
  sampleIds: number[];
}

export interface DatasetSummary {
  id: number;
  name: string;
  description: string;
  sampleCount: number;
  statusCounts: Record<SampleStatus, number>;
  splitCounts: Record<SampleSplit, number>;
  createdAt: number;
  updatedAt: number;
}

export interface DatasetVersion {
  id: number;
  datasetId: number;
  /** sha256 over the frozen samples: the same content always gives the same hash */
  contentHash: string;
  note: string;
  sampleCount: number;
  splitCounts: Record<SampleSplit, number>;
  createdAt: number;
}

export const importOptionsSchema = z.object({
  /** status for imported samples; default: "done" when every turn has an answer, else "todo" */
  status: statusSchema.optional(),
  split: splitSchema.optional(),
  tags: z.array(tagSchema).max(MAX_TAGS).optional(),
  /** question asked for a .txt caption sidecar */
  captionPrompt: z.string().min(1).max(MAX_TURN_TEXT_CHARS).optional(),
  /** read image paths outside the imported folder (for a file: the folder it is in); off by default */
  allowOutsidePaths: z.boolean().optional(),
});
export type ImportOptions = z.infer<typeof importOptionsSchema>;

/** A file or row that was not imported, and why. */
export interface ImportIssue {
  /** the file (relative to what was imported), with ":row" for a row of a JSONL, CSV or Parquet file */
  where: string;
  reason: string;
}

export interface ImportProgress {
  /** items read so far (rows or image files) */
  processed: number;
  /** samples committed to the database: durable */
  imported: number;
  skipped: number;
  duplicates: number;
  /** new image files stored (images already stored are not stored twice) */
  newImages: number;
}

export interface ImportReport extends ImportProgress {
  datasetId: number;
  format: ImportFormat;
  cancelled: boolean;
  issues: ImportIssue[];
  /** duplicate samples flagged (not skipped): where, and the sample they duplicate */
  duplicateOf: { where: string; sampleId: number; duplicateOf: number }[];
  seconds: number;
}

/** image: one photo, as a folder of one (its .txt or .json sidecar beside it is read too) */
export type ImportFormat = 'folder' | 'image' | 'jsonl' | 'csv' | 'parquet';
export type ExportFormat = 'jsonl' | 'sharegpt' | 'parquet';

export interface ExportReport {
  /** an export made for download (no folder given): the .zip to fetch */
  download?: DownloadTicket;
  format: ExportFormat;
  samples: number;
  images: number;
  files: string[];
  /** samples left out, and why (for example: no answer yet) */
  skipped: { sampleId: number; reason: string }[];
}
