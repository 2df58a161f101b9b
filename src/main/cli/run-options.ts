// The run settings `nanovlm train` and `nanovlm export-run` share: preset and learning rates, batch
// size, accumulation, steps or epochs. One home, so that both commands read them the same way.
import { numberOption, UsageError, type ParsedArgs } from './command';
import { DEFAULT_WARMUP_FRACTION, LR_SCHEDULES, type LearningRates, type LrScheduleName } from '../../shared/training';
import { DEFAULT_PRESET, PRESET_LEARNING_RATES, PRESETS, type Preset } from '../../shared/runs';

export const wholePositive = (n: number): boolean => Number.isInteger(n) && n > 0;
const nonNegative = (n: number) => Number.isFinite(n) && n >= 0;

export const RUN_OPTIONS = {
  preset: { type: 'string' },
  'lr-mp': { type: 'string' },
  'lr-vision': { type: 'string' },
  'lr-language': { type: 'string' },
  'batch-size': { type: 'string' },
  'grad-accum': { type: 'string' },
  'max-steps': { type: 'string' },
  epochs: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  seed: { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
} as const;

export const RUN_OPTIONS_USAGE = [
  `  --preset P             ${PRESETS.join(' | ')} (default ${DEFAULT_PRESET}; nanoVLM's rates`,
  `                         mp ${PRESET_LEARNING_RATES.full.mp}, vision and language ${PRESET_LEARNING_RATES.full.language}; scratch: 3e-3 each)`,
  '  --lr-mp N              projector learning rate (overrides the preset; 0 freezes)',
  '  --lr-vision N          vision encoder learning rate',
  '  --lr-language N        language decoder learning rate',
  '  --batch-size N         samples per micro-batch (default 8)',
  '  --grad-accum N         micro-batches per optimiser step (default 1)',
  '  --max-steps N          optimiser steps, or',
  '  --epochs E             passes over the data (default 1)',
  '  --checkpoint-every N   write a checkpoint every N steps (default 500) and at the end',
  '  --seed N               data order seed (default 0)',
  `  --schedule S           learning rate after the warmup: ${LR_SCHEDULES.join(' | ')} (default cosine, nanoVLM's;`,
  '                         linear and cosine end at 10% of the peak)',
  `  --warmup F             share of the steps the warmup takes, 0 to 0.5 (default ${DEFAULT_WARMUP_FRACTION})`,
];

/** The learning-rate schedule and warmup asked for (--schedule, --warmup). */
export function scheduleFrom(args: ParsedArgs): { schedule: LrScheduleName; warmupFraction: number } {
  const schedule = (args.values.schedule as string | undefined) ?? 'cosine';
  if (!(LR_SCHEDULES as readonly string[]).includes(schedule)) throw new UsageError(`--schedule must be one of ${LR_SCHEDULES.join(', ')}, not "${schedule}"`);
  const warmupFraction = numberOption(args, 'warmup', (n) => n >= 0 && n <= 0.5) ?? DEFAULT_WARMUP_FRACTION;
  return { schedule: schedule as LrScheduleName, warmupFraction };
}

export function learningRatesFrom(args: ParsedArgs): LearningRates {
  const preset = (args.values.preset as string | undefined) ?? DEFAULT_PRESET;
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, not "${preset}"`);
  const base = PRESET_LEARNING_RATES[preset as Preset];
  return {
    mp: numberOption(args, 'lr-mp', nonNegative) ?? base.mp,
    vision: numberOption(args, 'lr-vision', nonNegative) ?? base.vision,
    language: numberOption(args, 'lr-language', nonNegative) ?? base.language,
  };
}

/** --max-steps, else --epochs (default 1) over the dataset's rows. */
export function maxStepsFrom(args: ParsedArgs, rows: number, samplesPerStep: number): number {
  const steps = numberOption(args, 'max-steps', wholePositive);
  const epochs = numberOption(args, 'epochs', (n) => Number.isFinite(n) && n > 0);
  if (steps !== undefined && epochs !== undefined) throw new UsageError('give --max-steps or --epochs, not both');
  return steps ?? Math.max(1, Math.ceil(((epochs ?? 1) * rows) / samplesPerStep));
}

export interface BatchSettings {
  batchSize: number;
  gradientAccumulationSteps: number;
  checkpointEvery: number;
  seed: number;
}

export function batchSettingsFrom(args: ParsedArgs): BatchSettings {
  return {
    batchSize: numberOption(args, 'batch-size', wholePositive) ?? 8,
    gradientAccumulationSteps: numberOption(args, 'grad-accum', wholePositive) ?? 1,
    checkpointEvery: numberOption(args, 'checkpoint-every', wholePositive) ?? 500,
    seed: numberOption(args, 'seed', Number.isInteger) ?? 0,
  };
}
