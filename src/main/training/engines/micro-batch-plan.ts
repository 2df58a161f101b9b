// How a training step's samples go through the model. The wasm engine's heap is capped at 4 GB: a
// batch it cannot hold at once is split into micro-batches whose gradients are accumulated, which
// keeps a run on wasm instead of the plain cpu backend (≈25× slower at nanoVLM-222M's size).
import { estimateTrainingMemory, GENEROUS_POSITIONS, WASM_TRAINING_LIMIT_BYTES, type StepShape } from '../../../shared/memory-estimate';
import type { LearningRates } from '../../../shared/training';
import type { ModelSpec } from '../../model/config';
import { modelShape } from '../../model/parameters';

export interface MicroBatchPlan {
  /** samples per forward/backward */
  microBatch: number;
  /** forward/backward passes per optimiser step */
  microBatches: number;
  /** the wasm memory estimate of a step so split */
  bytes: number;
}

/** `positions` per sample (the dataset's longest), and as many tiles as the family allows per image. */
function stepShape(maxTiles: number, positions: number, microBatch: number, microBatches: number): StepShape {
  return { tokens: positions * microBatch, images: maxTiles * microBatch, accumulated: microBatches };
}

/**
 * How a step's samples go through the model: the whole batch at once, or, when the wasm heap could
 * not hold that, the largest micro-batch (a divisor of the batch) that fits, accumulated as
 * nanoVLM's gradient accumulation does (each micro-batch's mean loss, averaged).
 */
export function microBatchPlan(
  spec: ModelSpec,
  rates: LearningRates,
  batchSize: number,
  accumulation: number,
  positionsPerSample = GENEROUS_POSITIONS,
): MicroBatchPlan {
  const shape = modelShape(spec);
  const plan = (microBatch: number): MicroBatchPlan => {
    const microBatches = accumulation * (batchSize / microBatch);
    const step = stepShape(shape.maxTilesPerImage, positionsPerSample, microBatch, microBatches);
    return { microBatch, microBatches, bytes: estimateTrainingMemory(shape, rates, step, 'wasm').total };
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
