// Training runs as the renderer sees them, and the inputs that start one.
import { z } from 'zod';
import { statusSchema, type SampleSplit, type SampleStatus } from './datasets';
import { DEFAULT_OPTIMIZER, DEFAULT_WARMUP_FRACTION, LR_SCHEDULES, TRAINING_ENGINES, type LearningRates, type TrainingEngineName } from './training';

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted';

/** Which groups a run trains, and how fast. One list for the studio and the command line. */
export const PRESETS = ['projector', 'projector+language', 'full', 'scratch'] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = 'projector+language';

const NANOVLM = DEFAULT_OPTIMIZER.learningRates;

/**
 * nanoVLM's learning rates (lr_mp 0.00512, lr_backbones 5e-5); a preset freezes groups with 0. A
 * model made from scratch (`nanovlm init-model`) has nothing worth keeping: every group learns fast.
 */
export const PRESET_LEARNING_RATES: Record<Preset, LearningRates> = {
  projector: { mp: NANOVLM.mp, vision: 0, language: 0 },
  'projector+language': { mp: NANOVLM.mp, vision: 0, language: NANOVLM.language },
  full: { ...NANOVLM },
  scratch: { mp: 3e-3, vision: 3e-3, language: 3e-3 },
};

const rate = z.number().min(0).max(1);

export const runStartSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    datasetId: z.number().int().positive(),
    baseModelId: z.string().min(1).max(80),
    preset: z.enum(PRESETS).default(DEFAULT_PRESET),
    learningRates: z.object({ mp: rate, vision: rate, language: rate }).partial().strict().optional(),
    batchSize: z.number().int().min(1).max(256).default(4),
    gradientAccumulationSteps: z.number().int().min(1).max(256).default(1),
    maxSteps: z.number().int().min(1).max(1_000_000).default(200),
    /** when given, the run lasts this many passes over the train split (maxSteps is derived from it) */
    epochs: z.number().int().min(1).max(10_000).optional(),
    checkpointEvery: z.number().int().min(1).max(1_000_000).default(50),
    keepCheckpoints: z.number().int().min(1).max(100).default(3),
    maxGradNorm: z.number().positive().max(1000).nullable().default(1.0),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** the learning rate after the warmup (cosine: nanoVLM's), and the share of the steps the warmup takes */
    schedule: z.enum(LR_SCHEDULES).default('cosine'),
    warmupFraction: z.number().min(0).max(0.5).default(DEFAULT_WARMUP_FRACTION),
    /** the training engine; default: the best one available */
    engine: z.enum(TRAINING_ENGINES).optional(),
    /** val samples whose answers are generated at each checkpoint (0: no evaluation) */
    evalSamples: z.number().int().min(0).max(10_000).default(100),
    /** train only on samples of these statuses (default: every answered sample but rejected ones) */
    statuses: z
      .array(statusSchema.exclude(['rejected']))
      .min(1)
      .max(4)
      .optional(),
  })
  .strict();
export type RunStartInput = z.input<typeof runStartSchema>;
export type RunSettings = z.output<typeof runStartSchema>;

export interface RunCheckpoint {
  step: number;
  dir: string;
  /** answer accuracy on the val split at this checkpoint, once evaluated */
  valAccuracy?: number;
  /** the model registered for it, when it became one */
  modelId?: string;
  /** written by nanoVLM's own trainer from a hand-off of this run (not by the studio) */
  origin?: 'nanovlm';
}

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  datasetId: number;
  datasetVersionId: number;
  baseModelId: string;
  settings: RunSettings;
  learningRates: LearningRates;
  engine?: TrainingEngineName;
  engineReason?: string;
  step: number;
  lastLoss?: number;
  folder: string;
  checkpoints: RunCheckpoint[];
  startedAt: number;
  endedAt?: number;
  error?: string;
}

export interface RunMetric {
  step: number;
  loss: number;
  gradNorm: number;
  learningRates: LearningRates;
  samplesPerSecond?: number;
  valLoss?: number;
  valAccuracy?: number;
  at: number;
}

export interface RunLogLine {
  at: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface RunDetail extends RunSummary {
  metrics: RunMetric[];
  log: RunLogLine[];
}

export interface RunPrediction {
  sampleId: string;
  turn: number;
  question: string;
  expected: string;
  predicted: string;
  correct: boolean;
  error?: string;
}

export interface RunPredictions {
  /** the evaluated step shown (the latest unless asked) */
  step: number | null;
  /** every evaluated step */
  steps: number[];
  accuracy: number | null;
  n: number;
  items: RunPrediction[];
}

/** Statuses of samples a person has not confirmed: a run on them trains on unchecked answers. */
export const UNREVIEWED_STATUSES: readonly SampleStatus[] = ['todo', 'draft', 'review'];

/**
 * What a dataset gives a run, per split: answered samples (every turn has an answer) by status,
 * and those left out (a turn without an answer, or rejected).
 */
export interface TrainingDataCheck {
  datasetId: number;
  answered: Record<SampleSplit, Record<SampleStatus, number>>;
  unanswered: Record<SampleSplit, number>;
  rejected: Record<SampleSplit, number>;
}

/** Which sample of a run's train split to preview, formatted exactly as the trainer will see it. */
export const trainingSamplePreviewSchema = z
  .object({
    datasetId: z.number().int().positive(),
    baseModelId: z.string().min(1).max(80),
    /** the same choice as runs.start: train only on samples of these statuses */
    statuses: runStartSchema.shape.statuses,
    /** position in the train split (0: the first); past the end wraps around */
    index: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();
export type TrainingSamplePreviewInput = z.input<typeof trainingSamplePreviewSchema>;

/** One position of the collated sequence. */
export interface PreviewToken {
  id: number;
  /** the token decoded on its own */
  text: string;
  /** what this position is trained to predict (the shifted label), null where it carries no label */
  target: number | null;
  kind: 'text' | 'image' | 'special';
}

/** One photo as the image processor cut it. */
export interface PreviewImage {
  /** rows × columns of tiles ([1, 1]: one tile, no global view) */
  grid: [number, number];
  sourceHw: [number, number];
  resizedHw: [number, number];
  /** every tile the vision encoder reads, in order, as PNG data URLs (global view first when there is one) */
  tiles: string[];
  globalView: boolean;
}

/** One training sample exactly as the trainer sees it: through the processor and the collator. */
export interface TrainingSamplePreview {
  sampleId: number;
  /** its position in the train split, and how many the split gives the run */
  index: number;
  count: number;
  family: string;
  tileSize: number;
  tokens: PreviewToken[];
  /** positions carrying a label (target not null) */
  labelled: number;
  /** image positions: placeholders in the text, or (prefix family) embeddings put before it */
  imagePositions: number;
  /** prefix family: the image embeddings come before the tokens, not as placeholders */
  imagesBeforeText: boolean;
  images: PreviewImage[];
}

/** A run waiting for the running one to end (the run queue). */
export interface QueuedRun {
  id: string;
  name: string;
  datasetId: number;
  baseModelId: string;
  /** 1 = next */
  position: number;
  queuedAt: number;
}

/** runs.enqueue: started at once when nothing trains, else queued */
export type EnqueueResult = { started: RunSummary } | { queued: QueuedRun };
