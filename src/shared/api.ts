// The API contract between the renderer and the studio core: every method with its input schema
// (checked at the door, errors name the field) and its output type, and every event stream.
// Both doors (Electron IPC and the web server) serve exactly this; the renderer only sees it
// through StudioClient. A call is parsed once, at the door (parseMethodInput): handlers receive the
// parsed input (ParsedInput) and never parse again. Failures: see errors.ts.
import { z } from 'zod';
import {
  bulkChangeSchema,
  bulkSelectionSchema,
  newSampleSchema,
  importOptionsSchema,
  sampleFilterSchema,
  samplePatchSchema,
  sampleQuerySchema,
  selectionSchema,
  splitRatiosSchema,
  SPLIT_STRATIFICATIONS,
  type DatasetSummary,
  type DatasetVersion,
  type DeleteResult,
  type ImageInfo,
  type Sample,
  type SamplePage,
  type SplitAssignment,
  type SplitLeak,
  type VersionDiff,
  type RestoreResult,
} from './datasets';
import type { Job } from './jobs';
import { MAX_DATASET_NAME_CHARS, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS } from './limits';
import { uploadBeginSchema, uploadIdSchema, uploadWriteSchema } from './uploads';
import { addModelSchema, modelIdSchema, type CatalogueEntry, type ModelInfo } from './models';
import {
  chatExportSchema,
  chatFeedbackSchema,
  chatIdInput,
  chatPrefillSchema,
  chatListSchema,
  chatSendSchema,
  chatToSampleSchema,
  chatUpdateSchema,
  generationSettingsChangeSchema,
  messageIdInput,
  QUANTIZATION_CHOICES,
  regenerateSchema,
  samplePreviewSchema,
  type ChatDetail,
  type ChatExport,
  type ChatMessage,
  type ChatPrefilled,
  type ChatPrefillResult,
  type ChatSendResult,
  type ChatSummary,
  type SamplePreview,
} from './chat';
import {
  runStartSchema,
  trainingSamplePreviewSchema,
  type RunDetail,
  type RunLogLine,
  type RunMetric,
  type RunPredictions,
  type RunSummary,
  type TrainingDataCheck,
  type TrainingSamplePreview,
  type EnqueueResult,
  type QueuedRun,
} from './runs';
import type { SystemHealth, SystemInfo, WelcomeState } from './system';
import { ApiError } from './errors';

/** a call's failure is part of the contract; defined in errors.ts */
export { ApiError } from './errors';

const noInput = z.object({}).strict();
const datasetName = z.string().trim().min(1).max(MAX_DATASET_NAME_CHARS);
const description = z.string().max(MAX_DESCRIPTION_CHARS);
const hubRepoSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, 'a Hub repo id: owner/name');

/** Where the Hub token was found (the variable's name or the file's path); the token itself never crosses a door. */
export interface HubStatus {
  endpoint: string;
  token: { found: boolean; source?: string; file: string };
}
const id = z.number().int().positive();
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');
/** images sent by the renderer (chat photos, drops): base64, at most 48 MiB decoded */
const MAX_UPLOAD_BASE64 = Math.ceil((48 * 1024 * 1024 * 4) / 3);

/** Input schemas, by method name. */
export const methodInputs = {
  'system.info': noInput,
  'system.health': noInput,
  'studio.welcome': noInput,
  'studio.addDemoData': noInput,
  'jobs.list': noInput,
  'jobs.cancel': z.object({ id: z.string().uuid() }).strict(),

  'datasets.list': noInput,
  'datasets.get': z.object({ id }).strict(),
  'datasets.tags': z.object({ datasetId: id }).strict(),
  'datasets.create': z.object({ name: datasetName, description: description.optional() }).strict(),
  'datasets.update': z.object({ id, name: datasetName.optional(), description: description.optional() }).strict(),
  'datasets.delete': z.object({ id }).strict(),
  /** from a path on the studio's machine, or from files uploaded (uploads.*) */
  'datasets.import': z
    .object({ datasetId: id, path: absolutePath.optional(), uploadId: z.string().uuid().optional(), options: importOptionsSchema.optional() })
    .strict()
    .refine((i) => (i.path === undefined) !== (i.uploadId === undefined), { message: 'give either a path or an uploadId', path: ['path'] }),
  /**
   * into a new or empty folder on the studio's machine (`overwrite` replaces the files of an earlier
   * export there), or (no outDir) as a .zip to download
   */
  'datasets.export': z
    .object({ datasetId: id, outDir: absolutePath.optional(), format: z.enum(['jsonl', 'sharegpt', 'parquet']), overwrite: z.boolean().optional() })
    .strict(),
  'uploads.begin': uploadBeginSchema,
  'uploads.write': uploadWriteSchema,
  'uploads.discard': uploadIdSchema,
  'datasets.assignSplits': z
    .object({
      datasetId: id,
      ratios: splitRatiosSchema,
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
      stratify: z.enum(SPLIT_STRATIFICATIONS).default('none'),
    })
    .strict(),
  'datasets.splitLeaks': z.object({ datasetId: id }).strict(),
  'datasets.createVersion': z.object({ datasetId: id, note: z.string().max(MAX_NOTE_CHARS).optional() }).strict(),
  'datasets.versions': z.object({ datasetId: id }).strict(),
  'datasets.versionDiff': z.object({ datasetId: id, from: id, to: z.union([id, z.literal('current')]) }).strict(),
  'datasets.restoreVersion': z.object({ datasetId: id, versionId: id }).strict(),

  'samples.page': sampleQuerySchema.strict(),
  'samples.count': z.object({ datasetId: id, filter: sampleFilterSchema.optional() }).strict(),
  'samples.get': z.object({ id }).strict(),
  'samples.create': z.object({ datasetId: id, sample: newSampleSchema }).strict(),
  'samples.update': z.object({ id, patch: samplePatchSchema }).strict(),
  'samples.bulkUpdate': z.object({ selection: bulkSelectionSchema, change: bulkChangeSchema }).strict(),
  'samples.delete': z.object({ selection: bulkSelectionSchema }).strict(),
  'samples.restore': z.object({ undoToken: z.string().min(1).max(100) }).strict(),

  /** `name` (the file's name) is only used in error messages; images are stored by content */
  'images.add': z.object({ name: z.string().max(255).optional(), dataBase64: z.string().min(1).max(MAX_UPLOAD_BASE64) }).strict(),

  'models.list': noInput,
  'models.catalogue': noInput,
  'models.add': addModelSchema,
  'models.remove': z.object({ id: modelIdSchema }).strict(),
  /** the ONNX export (kept in the cache); copied to outDir, or offered as a .zip to download, when asked */
  'models.export': z
    .object({ id: modelIdSchema, quant: z.enum(QUANTIZATION_CHOICES), outDir: absolutePath.optional(), download: z.boolean().optional() })
    .strict(),
  /** upload the model (weights, tokenizer, a model card) to a Hub model repo, as a job */
  'models.push': z.object({ id: modelIdSchema, repo: hubRepoSchema, private: z.boolean().default(false) }).strict(),
  /** upload a dataset version (Parquet per split, a dataset card) to a Hub dataset repo, as a job */
  'datasets.pushVersion': z.object({ datasetId: id, versionId: id.optional(), repo: hubRepoSchema, private: z.boolean().default(false) }).strict(),
  /** whether a Hub token is found (HF_TOKEN or the token file) and where; never the token */
  'hub.status': noInput,
  /** save a token where huggingface_hub reads it ($HF_HOME/token) */
  'hub.saveToken': z.object({ token: z.string().trim().min(8).max(256) }).strict(),

  'datasets.draftAnswers': z
    .object({
      selection: selectionSchema,
      modelId: modelIdSchema,
      settings: generationSettingsChangeSchema.optional(),
      defaultQuestion: z.string().trim().min(1).max(2000).default('Describe this image.'),
    })
    .strict(),

  'chat.list': chatListSchema,
  'chat.get': chatIdInput,
  'chat.update': chatUpdateSchema,
  'chat.export': chatExportSchema,
  'chat.send': chatSendSchema,
  'chat.prefill': chatPrefillSchema,
  'chat.stop': messageIdInput,
  'chat.regenerate': regenerateSchema,
  'chat.showVariant': messageIdInput,
  'chat.feedback': chatFeedbackSchema,
  'chat.samplePreview': samplePreviewSchema,
  'chat.toSample': chatToSampleSchema,
  'chat.delete': chatIdInput,

  'runs.list': noInput,
  'runs.get': z.object({ id: z.string().uuid() }).strict(),
  'runs.start': runStartSchema,
  /** start now, or when the runs training now have ended */
  'runs.enqueue': runStartSchema,
  'runs.queue': noInput,
  'runs.dequeue': z.object({ id: z.string().uuid() }).strict(),
  'runs.cancel': z.object({ id: z.string().uuid() }).strict(),
  'runs.resume': z.object({ id: z.string().uuid() }).strict(),
  'runs.predictions': z.object({ id: z.string().uuid(), step: z.number().int().min(0).optional(), correct: z.boolean().optional() }).strict(),
  /** hand the run (its dataset version, base model, settings) to nanoVLM's own trainer: a folder, as a job */
  'runs.exportElsewhere': z.object({ id: z.string().uuid(), outDir: absolutePath, processes: z.number().int().min(1).max(4096).default(1) }).strict(),
  /** a folder nanoVLM's trainer wrote (save_pretrained) becomes a checkpoint and model of the run */
  'runs.addCheckpoint': z.object({ folder: absolutePath, id: z.string().uuid().optional(), step: z.number().int().min(0).optional() }).strict(),
  'runs.checkpointModel': z.object({ id: z.string().uuid(), step: z.number().int().min(0) }).strict(),
  'runs.dataCheck': z.object({ datasetId: id }).strict(),
  /** one train sample exactly as the trainer will see it (tokens, label mask, image tiles), before a run starts */
  'runs.previewSample': trainingSamplePreviewSchema,
} as const;

/** Output types, by method name. */
export interface MethodOutputs {
  'system.info': SystemInfo;
  'system.health': SystemHealth;
  'studio.welcome': WelcomeState;
  'studio.addDemoData': Job;
  'jobs.list': Job[];
  'jobs.cancel': Job;

  'datasets.list': DatasetSummary[];
  'datasets.get': DatasetSummary;
  'datasets.tags': { tag: string; count: number }[];
  'datasets.create': DatasetSummary;
  'datasets.update': DatasetSummary;
  'datasets.delete': { deleted: true };
  'datasets.import': Job;
  'datasets.export': Job;
  'uploads.begin': { uploadId: string };
  'uploads.write': { received: number };
  'uploads.discard': { discarded: true };
  'datasets.assignSplits': SplitAssignment;
  'datasets.splitLeaks': SplitLeak[];
  'datasets.createVersion': DatasetVersion;
  'datasets.versions': DatasetVersion[];
  'datasets.versionDiff': VersionDiff;
  'datasets.restoreVersion': RestoreResult;

  'samples.page': SamplePage;
  'samples.count': { count: number };
  'samples.get': Sample;
  'samples.create': Sample;
  'samples.update': Sample;
  'samples.bulkUpdate': { updated: number };
  'samples.delete': DeleteResult;
  'samples.restore': { restored: number };

  'images.add': ImageInfo;

  'models.list': ModelInfo[];
  /** the published nanoVLM checkpoints, with sizes and what each needs */
  'models.catalogue': CatalogueEntry[];
  'models.add': Job;
  'models.remove': ModelInfo;
  'models.export': Job;
  'models.push': Job;
  'datasets.pushVersion': Job;
  'hub.status': HubStatus;
  'hub.saveToken': HubStatus;

  'datasets.draftAnswers': Job;

  'chat.list': ChatSummary[];
  'chat.get': ChatDetail;
  'chat.update': ChatSummary;
  'chat.export': ChatExport;
  'chat.send': ChatSendResult;
  'chat.prefill': ChatPrefillResult;
  'chat.stop': ChatMessage;
  'chat.regenerate': ChatMessage;
  'chat.showVariant': ChatMessage;
  'chat.feedback': ChatMessage;
  'chat.samplePreview': SamplePreview;
  'chat.toSample': Sample;
  'chat.delete': { deleted: true };

  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.start': RunSummary;
  'runs.enqueue': EnqueueResult;
  'runs.queue': QueuedRun[];
  'runs.dequeue': QueuedRun[];
  'runs.cancel': RunSummary;
  'runs.resume': RunSummary;
  'runs.predictions': RunPredictions;
  'runs.exportElsewhere': Job;
  'runs.addCheckpoint': RunSummary;
  /** a kept checkpoint as a model to chat with (registered on first use) */
  'runs.checkpointModel': ModelInfo;
  /** what a dataset would give a run: answered samples by split and status, and those left out */
  'runs.dataCheck': TrainingDataCheck;
  'runs.previewSample': TrainingSamplePreview;
}

export type MethodName = keyof typeof methodInputs & keyof MethodOutputs;
/** What a caller sends: optional fields may be left out. */
export type MethodInput<M extends MethodName> = z.input<(typeof methodInputs)[M]>;
/** What a handler receives: the input after the door's parse, defaults filled in. */
export type ParsedInput<M extends MethodName> = z.output<(typeof methodInputs)[M]>;
export type MethodOutput<M extends MethodName> = MethodOutputs[M];

/** Event payloads, by topic. */
export interface EventPayloads {
  /** something the person should see that did not come from a call of theirs */
  'studio.notice': { level: 'info' | 'warning' | 'error'; message: string };
  /** a background job started, progressed or ended */
  'job.updated': Job;
  /** a run changed status, engine, step or checkpoints */
  'run.updated': RunSummary;
  /** the run queue, whenever it changes */
  'run.queue': QueuedRun[];
  /** metrics of one step of a run (train, then val values merged in) */
  'run.metrics': { runId: string; metric: RunMetric };
  'run.log': { runId: string; line: RunLogLine };
  /** a piece of an answer as it streams */
  'chat.delta': { chatId: number; messageId: number; delta: string };
  /** an answer ended (done, stopped, failed) or its feedback changed */
  'chat.message': ChatMessage;
  /** a prefill on attach (chat.prefill) of a composer slot ended */
  'chat.prefilled': ChatPrefilled;
}
export type EventTopic = keyof EventPayloads;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodInputs, name);
}

/** Validate a method's input; the error names the first offending field. Defaults are applied here, once. */
export function parseMethodInput<M extends MethodName>(method: M, input: unknown): ParsedInput<M> {
  const result = methodInputs[method].safeParse(input ?? {});
  // zod types the data of a schema picked by a generic key as the union of all methods' inputs
  if (result.success) return result.data as ParsedInput<M>;
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? ((issue as { keys?: string[] }).keys ?? []) : [];
  const field = [...issue.path, ...keys.slice(0, 1)].map(String).join('.') || '(input)';
  throw new ApiError('invalid_input', `${method}: field "${field}": ${issue.message}`, field);
}
