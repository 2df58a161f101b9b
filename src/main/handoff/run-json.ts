// A studio run's settings under nanoVLM's own names: run.json = {nanovlm_revision, train_config,
// vlm_config}, every key a field of nanoVLM's TrainConfig / VLMConfig. Also the list of what has no
// counterpart there, for the README. Only the split family can be expressed: nanoVLM's current
// trainer (its processors, tokenizer and dataset code) knows no other.
import { DEFAULT_WARMUP_FRACTION, type LearningRates, type LrScheduleName } from '../../shared/training';
import { usesChatTemplate, cutsTiles } from '../model/family';
import type { ModelSpec } from '../model/config';
import { NANOVLM_REVISION, TRAIN_CONFIG_FIELDS, VLM_CONFIG_FIELDS, type TrainConfigJson, type VlmConfigJson } from './nanovlm-trainer';

/** The run settings a hand-off carries (the studio's names). */
export interface HandoffSettings {
  learningRates: LearningRates;
  batchSize: number;
  gradientAccumulationSteps: number;
  maxSteps: number;
  maxGradNorm: number | null;
  checkpointEvery: number;
  seed: number;
  /** processes (GPUs over all machines) the data is laid out for */
  processes: number;
  /** the run's learning-rate schedule and warmup (nanoVLM's trainer has only its cosine with 3%) */
  schedule?: LrScheduleName;
  warmupFraction?: number;
}

/** What the written data holds, as the mapping needs it. */
export interface HandoffData {
  /** val rows at the head of the shards, over all shards (nanoVLM's val_size) */
  valRows: number;
  /** most images in one sample */
  maxImagesPerSample: number;
}

export interface RunJson {
  nanovlm_revision: { repository: string; branch: string; commit: string; date: string };
  train_config: TrainConfigJson;
  vlm_config: VlmConfigJson;
}

/** Folders inside the hand-off, relative to run.json (the launcher makes them absolute). */
export const HANDOFF_PATHS = { dataset: 'dataset', checkpoints: 'checkpoints', tokenizer: 'tokenizer' } as const;

export class HandoffError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

/** Refuse a model nanoVLM's current trainer cannot train, naming why. */
export function checkExpressible(spec: ModelSpec, what: string): void {
  if (!usesChatTemplate(spec.family) || !cutsTiles(spec.family)) {
    throw new HandoffError(
      'model',
      `${what} is a ${spec.family}-family model; nanoVLM's trainer on its ${NANOVLM_REVISION.branch} branch (the hand-off's target) trains the split family only (chat template, image tiles with <|global_image|> and grid tokens). Train it in the studio instead.`,
    );
  }
}

/** vlm_config: the base checkpoint's config under VLMConfig's fields, plus where the launcher finds things. */
export function vlmConfigOf(spec: ModelSpec, raw: Record<string, unknown>, localTokenizer: boolean): VlmConfigJson {
  const c = spec.config as Record<string, unknown>;
  const given = (field: string, fallback: unknown) => raw[field] ?? c[field] ?? fallback;
  const filled: Record<string, unknown> = {
    vit_dropout: 0,
    lm_dropout: 0,
    lm_use_tokens: false,
    extra_token_amount: Object.keys(spec.config.vlm_extra_tokens).length,
  };
  const out: VlmConfigJson = {};
  for (const field of VLM_CONFIG_FIELDS) {
    const value = given(field, filled[field]);
    if (value !== undefined) out[field] = value;
  }
  out.lm_tokenizer = localTokenizer ? HANDOFF_PATHS.tokenizer : spec.config.lm_tokenizer;
  out.vlm_load_backbone_weights = false;
  out.vlm_checkpoint_path = HANDOFF_PATHS.checkpoints;
  out.hf_repo_name = null; // train.py pushes its best checkpoint to the Hub at the end unless this is None
  return out;
}

export function trainConfigOf(s: HandoffSettings, data: HandoffData, spec: ModelSpec): TrainConfigJson {
  return {
    lr_mp: s.learningRates.mp,
    lr_vision_backbone: s.learningRates.vision,
    lr_language_backbone: s.learningRates.language,
    val_size: data.valRows,
    batch_size: s.batchSize,
    gradient_accumulation_steps: s.gradientAccumulationSteps,
    max_grad_norm: s.maxGradNorm,
    eval_in_epochs: true,
    eval_interval: s.checkpointEvery,
    stats_log_interval: Math.min(100, s.checkpointEvery),
    max_training_steps: s.maxSteps,
    max_images_per_example: Math.max(1, data.maxImagesPerSample),
    max_images_per_knapsack: Math.max(18, data.maxImagesPerSample),
    max_sample_length: spec.config.lm_max_length,
    compile: false,
    resume_from_vlm_checkpoint: true,
    train_dataset_path: HANDOFF_PATHS.dataset,
    train_dataset_name: ['default'],
    stream_dataset: true,
    log_wandb: false,
    use_lmms_eval: false,
  };
}

export function runJsonOf(spec: ModelSpec, raw: Record<string, unknown>, settings: HandoffSettings, data: HandoffData, localTokenizer: boolean): RunJson {
  const run: RunJson = {
    nanovlm_revision: { ...NANOVLM_REVISION },
    train_config: trainConfigOf(settings, data, spec),
    vlm_config: vlmConfigOf(spec, raw, localTokenizer),
  };
  const trainFields: readonly string[] = TRAIN_CONFIG_FIELDS;
  const stray = Object.keys(run.train_config).filter((k) => !trainFields.includes(k));
  if (stray.length) throw new Error(`run.json: not TrainConfig fields: ${stray.join(', ')}`);
  return run;
}

/** What the studio's settings and the base config hold that nanoVLM's trainer has no field for. */
export function notMapped(spec: ModelSpec, raw: Record<string, unknown>, s: HandoffSettings): string[] {
  const vlmFields: readonly string[] = VLM_CONFIG_FIELDS;
  const dropped = Object.keys(raw).filter((k) => !vlmFields.includes(k));
  return [
    `Batch size: nanoVLM packs samples into sequences of up to lm_max_length (${spec.config.lm_max_length}) tokens and batch_size (${s.batchSize}) counts those packed sequences per GPU, where the studio counts samples; the global batch is batch_size × processes × gradient_accumulation_steps.`,
    'Steps: max_training_steps counts optimiser steps over packed batches, so the same number of steps sees more samples than in the studio.',
    `Data order: nanoVLM streams the shards in order without shuffling; the studio shuffled the training rows once with the run's seed (${s.seed}) when writing them. nanoVLM seeds torch with 0.`,
    'Validation: nanoVLM reports the loss on at most 65 val batches at each eval_interval and saves a checkpoint then; it measures no answer accuracy. Bring a checkpoint back to the studio to score it on the same val split.',
    'Checkpoints kept: nanoVLM keeps every checkpoint it saves (the studio keeps the newest few and the best).',
    "Training engine and micro-batching: nanoVLM trains in PyTorch (bfloat16 autocast on CUDA); the studio's engine choice does not apply.",
    ...((s.schedule ?? 'cosine') !== 'cosine' || (s.warmupFraction ?? DEFAULT_WARMUP_FRACTION) !== DEFAULT_WARMUP_FRACTION
      ? [
          `Learning-rate schedule: nanoVLM's get_lr is a cosine after a warmup over 3% of the steps; the run's ${s.schedule ?? 'cosine'} schedule with a ${((s.warmupFraction ?? DEFAULT_WARMUP_FRACTION) * 100).toFixed(1)}% warmup is not carried over.`,
        ]
      : []),
    ...(dropped.length
      ? [
          `Base config fields that VLMConfig does not have (left out of vlm_config and of checkpoints/config.json, since from_pretrained refuses unknown fields): ${dropped.join(', ')}.`,
        ]
      : []),
  ];
}
