// Memory a training step needs, to keep runs the wasm backend cannot hold off it. A step holds every
// weight, a gradient per trained weight (plus the running sum when micro-batches are accumulated),
// the optimiser's temporaries (about five of the largest parameter), the activations kept for
// backprop, and, on engines other than wasm, the two AdamW moments per trained weight (wasm keeps
// them in host memory: adamw-moments.ts). The wasm heap never shrinks and fragments, so its peak is
// about 1.4× that sum: fitted to the peaks measured at nanoVLM-222M's dimensions with 113 positions
// per sample (projector + decoder trained: 3.05 GiB; vision trained too: 3.75 GiB; the heap's
// ceiling is 4 GiB).
import type { NanoVLMConfig } from '../../model/config';
import type { LearningRates } from '../../../shared/training';
import { parameterGroup, storedParameterShapes } from '../tfjs/parameters';

/** What a wasm training step may be estimated to need: the heap's 4 GiB less a margin. */
export const WASM_TRAINING_LIMIT_BYTES = 3.9 * 2 ** 30;
const BYTES = 4;
const WASM_HEAP_OVERHEAD = 1.4;
const OPTIMIZER_TEMPORARIES = 5;

/** float activations kept for backprop per position and layer of a transformer of width d, MLP width i (generous) */
const activationBytes = (blocks: number, d: number, inter: number): number => BYTES * blocks * (16 * d + 8 * inter);

export interface StepShape {
  /** decoder positions (image tokens and text) in one micro-batch */
  tokens: number;
  /** images (tiles) in one micro-batch: their encoder activations count when the encoder is trained */
  images: number;
  /** micro-batches accumulated into one step (1: none) */
  accumulated?: number;
}

export function estimateTrainingBytes(config: NanoVLMConfig, rates: LearningRates, step: StepShape, engine: 'wasm' | 'other' = 'wasm'): number {
  let all = 0;
  let trained = 0;
  let largest = 0;
  for (const [name, shape] of storedParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    all += size;
    largest = Math.max(largest, size);
    if (rates[parameterGroup(name)] > 0) trained += size;
  }
  const gradients = (step.accumulated ?? 1) > 1 ? 2 * trained : trained;
  const moments = engine === 'wasm' ? 0 : 2 * trained;
  const patches = (config.vit_img_size / config.vit_patch_size) ** 2;
  const activations = step.tokens * activationBytes(config.lm_n_blocks, config.lm_hidden_dim, config.lm_inter_dim)
    + (rates.vision > 0 ? step.images * patches * activationBytes(config.vit_n_blocks, config.vit_hidden_dim, config.vit_inter_dim) : 0);
  const bytes = BYTES * (all + gradients + moments + OPTIMIZER_TEMPORARIES * largest) + activations;
  return engine === 'wasm' ? WASM_HEAP_OVERHEAD * bytes : bytes;
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`;
