// A rough memory estimate for a run: fp32 weights of the whole model, plus gradients and the two
// AdamW moments of the groups that train. Activations depend on image and text lengths and are
// not counted, so the real peak is higher.
import type { LearningRates, ParameterGroupName } from '../../../shared/training';

const BYTES = 4;

export interface MemoryEstimate {
  weights: number;
  gradients: number;
  optimizer: number;
  total: number;
  trainedParameters: number;
}

export function estimateMemory(totalParameters: number, groups: Record<ParameterGroupName, number> | undefined, rates: LearningRates): MemoryEstimate {
  const trained = groups
    ? (Object.keys(groups) as ParameterGroupName[]).reduce((sum, g) => sum + (rates[g] > 0 ? groups[g] : 0), 0)
    : totalParameters;
  const weights = totalParameters * BYTES;
  const gradients = trained * BYTES;
  const optimizer = trained * BYTES * 2;
  return { weights, gradients, optimizer, total: weights + gradients + optimizer, trainedParameters: trained };
}
