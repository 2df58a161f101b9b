// What every training engine offers the run: forward and backward of micro-batches, one optimiser
// step on what they accumulated, a loss without gradients, and the state a checkpoint keeps (the
// parameters, AdamW's moments and step counts) — so that the run, its checkpoints and an exact
// resume are the same whichever engine trains.
import type { LearningRates, OptimizerSettings } from '../../../shared/training';
import type { TrainingBatch } from '../data/batch';
import type { LearningRateSchedule } from '../optimizer/lr-schedule';

export interface TrainerSettings {
  optimizer: OptimizerSettings;
  gradientAccumulationSteps: number;
  schedule: LearningRateSchedule;
}

export interface StepReport {
  /** the optimiser step just taken, from 0 (nanoVLM's global_step before the increment) */
  step: number;
  /** mean loss of the micro-batches of this step */
  loss: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  learningRates: LearningRates;
}

/** AdamW's state of one parameter. */
export interface MomentState {
  step: number;
  shape: number[];
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

/** A value, or a promise of it: the TF.js engine answers at once, ONNX Runtime's asynchronously. */
export type Awaitable<T> = T | Promise<T>;

export type ParameterValues = Map<string, { shape: number[]; data: Float32Array }>;

export interface ModelTrainer {
  /** optimiser steps taken */
  readonly step: number;
  /** Forward and backward of one micro-batch; returns its (unscaled) loss. */
  accumulate(batch: TrainingBatch): Awaitable<number>;
  /** Clip, schedule, AdamW: one optimiser step on the accumulated gradients. */
  applyStep(): Awaitable<StepReport>;
  /** accumulate() over the micro-batches, then applyStep(). */
  trainStep(microBatches: TrainingBatch[]): Awaitable<StepReport>;
  /** Loss without gradients. */
  evaluate(batch: TrainingBatch): Awaitable<number>;
  /** Every stored parameter's values (float32), for a checkpoint. */
  parameterValues(): Promise<ParameterValues>;
  /** AdamW's state by parameter name, for a checkpoint. */
  optimizerState(): Promise<Map<string, MomentState>>;
  /** Restore a checkpoint's optimiser state (parameters of frozen groups are ignored). */
  restoreOptimizerState(step: number, state: ReadonlyMap<string, MomentState>): void;
  /** parameters in all, and trained */
  parameterCounts(): { all: number; trained: number };
  /** Free what the trainer holds (ONNX Runtime's sessions are released asynchronously). */
  dispose(): Awaitable<void>;
}
