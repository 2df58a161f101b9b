// Memory a training step needs, to keep runs the wasm backend cannot hold off it. Measured at
// nanoVLM-222M dimensions (batch 1): the step needs the weights, then per trained parameter its
// gradient and two AdamW moments, and per parameter on the backward path (the decoder, and the
// encoder when trained) a packed copy that the wasm matmul (XNNPACK) keeps while the weight lives;
// plus about three of the largest parameter for the optimiser's temporaries. Estimate 3.4 GB for
// projector + decoder trained, peak heap measured 3.45 GB on the first step; the second step
// aborted at the 4 GB cap (heap fragmentation), hence the margin.
import type { NanoVLMConfig } from '../model/config';
import type { LearningRates } from '../../shared/training';
import { parameterGroup, storedParameterShapes } from './parameters';

/** What the wasm heap (4 GB) can be trusted to hold for a step, with room for fragmentation. */
export const WASM_TRAINING_LIMIT_BYTES = 3.2 * 2 ** 30;
const BYTES = 4;
/** float activations per sequence position and decoder layer kept for backprop, generous */
const activationBytesPerToken = (c: NanoVLMConfig): number => BYTES * c.lm_n_blocks * (16 * c.lm_hidden_dim + 8 * c.lm_inter_dim);

export function estimateTrainingBytes(config: NanoVLMConfig, rates: LearningRates, tokensPerStep: number): number {
  let all = 0;
  let trained = 0;
  let backward = 0;
  let largest = 0;
  for (const [name, shape] of storedParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const group = parameterGroup(name);
    all += size;
    largest = Math.max(largest, size);
    if (rates[group] > 0) trained += size;
    if (group !== 'vision' || rates.vision > 0) backward += size;
  }
  return BYTES * (all + 3 * trained + backward + 3 * largest) + activationBytesPerToken(config) * tokensPerStep;
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`;
