// The run form's numbers: nanoVLM's defaults (taken from the API's schema, so they cannot drift)
// and one line saying what each one does.
import { runStartSchema, type RunSettings } from '../../../shared/runs';
import type { LrScheduleName } from '../../../shared/training';

export const RUN_DEFAULTS: RunSettings = runStartSchema.parse({ datasetId: 1, baseModelId: 'defaults' });

export type NumberSetting = 'batchSize' | 'gradientAccumulationSteps' | 'checkpointEvery' | 'keepCheckpoints' | 'seed' | 'evalSamples';

export const NUMBER_SETTINGS: { key: NumberSetting; label: string; min: number; max: number; help: string }[] = [
  { key: 'batchSize', label: 'Batch size', min: 1, max: 256, help: 'Samples per forward pass: larger is steadier and needs more memory.' },
  {
    key: 'gradientAccumulationSteps',
    label: 'Gradient accumulation',
    min: 1,
    max: 256,
    help: 'Forward passes summed per step: a larger effective batch at no extra memory.',
  },
  {
    key: 'checkpointEvery',
    label: 'Checkpoint every',
    min: 1,
    max: 1_000_000,
    help: 'Steps between checkpoints (one is also written at the end); resume starts from the last.',
  },
  {
    key: 'keepCheckpoints',
    label: 'Checkpoints kept',
    min: 1,
    max: 100,
    help: 'Only the newest ones stay on disk; a checkpoint you chat with is never deleted.',
  },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, help: 'The same seed gives the same data order: runs can be repeated exactly.' },
  {
    key: 'evalSamples',
    label: 'Val samples evaluated',
    min: 0,
    max: 10_000,
    help: 'Val samples the model answers at each checkpoint to measure accuracy; 0 turns evaluation off.',
  },
];

/** How long a run lasts: a number of optimiser steps, or of passes over the train split. */
export type LengthMode = 'steps' | 'epochs';

export const LENGTH_LIMITS: Record<LengthMode, { min: number; max: number }> = {
  steps: { min: 1, max: 1_000_000 },
  epochs: { min: 1, max: 10_000 },
};

export const LENGTH_HELP: Record<LengthMode, string> = {
  steps: 'Optimiser steps to train for; each sees batch size × accumulation samples.',
  epochs: 'Passes over the train split; the number of steps follows from the batch.',
};

export const ENGINE_HELP =
  "The engine that trains, fastest first: ONNX Runtime running the studio's training graphs, then TensorFlow.js (the reference); only the ones found on this computer are listed.";

export const RATE_HELP = {
  mp: 'Modality projector (nanoVLM: 0.00512). It starts from little and learns fast.',
  vision: 'Vision encoder (nanoVLM: 5e-5); 0 keeps it frozen.',
  language: 'Language model (nanoVLM: 5e-5); 0 keeps it frozen.',
} as const;

export const SCHEDULE_HELP: Record<LrScheduleName, string> = {
  cosine: "nanoVLM's: after the warmup the rate follows a cosine down to 10% of its peak at the last step.",
  linear: 'After the warmup the rate falls in a straight line to 10% of its peak at the last step.',
  constant: 'After the warmup the rate stays at its peak.',
};

export const WARMUP_HELP = 'Share of the steps over which the rate climbs to its peak (nanoVLM: 3%).';

export const GRAD_NORM_HELP = 'Gradients are clipped to this global norm (nanoVLM: 1.0); empty means no clipping.';
