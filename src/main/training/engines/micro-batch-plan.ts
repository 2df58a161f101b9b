// How a training step's samples go through the model. The wasm engine's heap is capped at 4 GB: a
// batch it cannot hold at once is split into micro-batches whose gradients are accumulated, which
// keeps a run on wasm instead of the plain cpu backend (≈25× slower at nanoVLM-222M's size).
import type { Checkpoint } from '../../model/checkpoint';
import type { LearningRates } from '../../../shared/training';
import { estimateTrainingBytes, WASM_TRAINING_LIMIT_BYTES, type StepShape } from './memory-estimate';

/** `positions` per sample (the dataset's longest), and as many tiles as the family allows per image. */
function stepShape(checkpoint: Pick<Checkpoint, 'family' | 'config'>, positions: number, microBatch: number, microBatches: number): StepShape {
  const c = checkpoint.config;
  const tilesPerImage = checkpoint.family === 'split' ? (Math.ceil((c.max_img_size ?? c.vit_img_size) / c.vit_img_size) ** 2 + 1) : 1;
  return { tokens: positions * microBatch, images: tilesPerImage * microBatch, accumulated: microBatches };
}

/** Positions per sample assumed when the dataset's are not known (image tokens and text). */
export const GENEROUS_POSITIONS = 256;

export interface MicroBatchPlan {
  /** samples per forward/backward */
  microBatch: number;
  /** forward/backward passes per optimiser step */
  microBatches: number;
  /** the memory estimate of a step so split */
  bytes: number;
}

/**
 * How a step's samples go through the model: the whole batch at once, or, when the wasm heap could
 * not hold that, the largest micro-batch (a divisor of the batch) that fits, accumulated as
 * nanoVLM's gradient accumulation does (each micro-batch's mean loss, averaged).
 */
export function microBatchPlan(checkpoint: Pick<Checkpoint, 'family' | 'config'>, rates: LearningRates, batchSize: number, accumulation: number, positionsPerSample = GENEROUS_POSITIONS): MicroBatchPlan {
  const plan = (microBatch: number): MicroBatchPlan => {
    const microBatches = accumulation * (batchSize / microBatch);
    return { microBatch, microBatches, bytes: estimateTrainingBytes(checkpoint.config, rates, stepShape(checkpoint, positionsPerSample, microBatch, microBatches)) };
  };
  const whole = plan(batchSize);
  if (whole.bytes <= WASM_TRAINING_LIMIT_BYTES) return whole;
  for (let micro = batchSize - 1; micro >= 1; micro--) {
    if (batchSize % micro !== 0) continue;
    const split = plan(micro);
    if (split.bytes <= WASM_TRAINING_LIMIT_BYTES) return split;
  }
  return whole;
}
