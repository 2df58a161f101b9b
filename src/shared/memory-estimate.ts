// The one memory estimate of a training step, used by the run form (shown before a run starts) and
// by the trainer (to choose an engine and split batches). A step holds every weight, a gradient per
// trained weight (plus the running sum when micro-batches are accumulated), the two AdamW moments
// per trained weight (the wasm engine keeps them outside its heap, in host memory), on wasm the
// optimiser's temporaries (about five of the largest parameter), and the activations kept for backprop.
//
// The wasm heap never shrinks and fragments, so its peak is about 1.4× that sum: fitted to the
// peaks measured at nanoVLM-222M's dimensions with 113 positions per sample (projector + decoder
// trained: 3.05 GiB; vision trained too: 3.75 GiB; the heap's ceiling is 4 GiB).
// In native memory (the ONNX Runtime engine on the CPU) the optimiser is one pass in place (no
// temporaries), the Node binding copies each gradient out of the step once more, and the runtime
// itself takes about half a GiB; the training sessions keep no memory arena, so the activations'
// memory, freed as the backward pass goes, is partly reused for those copies. Fitted to the peak RSS measured at 222M, batch 1 and 4, vision frozen
// and trained (3.4–5.8 GiB, within 2%).
import type { LearningRates, ParameterGroupName } from './training';

/** What an estimate needs to know of a model (from its config.json). */
export interface ModelShape {
  /** parameters per optimiser group, each stored tensor once */
  groups: Record<ParameterGroupName, number>;
  /** elements of the largest parameter (the embedding, usually) */
  largestParameter: number;
  decoder: { blocks: number; width: number; inter: number };
  encoder: { blocks: number; width: number; inter: number; patches: number };
  /** tiles the vision encoder reads for the largest image the model takes */
  maxTilesPerImage: number;
}

export interface StepShape {
  /** decoder positions (image tokens and text) in one micro-batch */
  tokens: number;
  /** images (tiles) in one micro-batch: their encoder activations count when the encoder is trained */
  images: number;
  /** micro-batches accumulated into one step (1: none) */
  accumulated?: number;
}

/** Where the step runs: the wasm heap (capped, fragmenting, moments outside), or native memory. */
export type MemoryKind = 'wasm' | 'native';

export interface MemoryEstimate {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  /** native: the runtime itself (Node, ONNX Runtime) */
  runtime: number;
  total: number;
  trainedParameters: number;
}

/** What a wasm training step may be estimated to need: the heap's 4 GiB less a margin. */
export const WASM_TRAINING_LIMIT_BYTES = 3.9 * 2 ** 30;
/** Positions per sample assumed when a dataset's are not known (image tokens and text). */
export const GENEROUS_POSITIONS = 256;

const BYTES = 4;
const WASM_HEAP_OVERHEAD = 1.4;
const OPTIMIZER_TEMPORARIES = 5;
/** the binding's copies of the gradients (one per trained weight, partly in freed activation memory) */
const NATIVE_GRADIENT_COPIES = 0.73;
/** the share of the activations that adds to the native peak (the rest is reused by the copies) */
const NATIVE_ACTIVATION_SHARE = 0.61;
const NATIVE_RUNTIME_BYTES = 512 * 2 ** 20;

/** float activations kept for backprop per position and layer of a transformer of width d, MLP width i (generous) */
const activationBytes = (blocks: number, d: number, inter: number): number => BYTES * blocks * (16 * d + 8 * inter);

export function estimateTrainingMemory(model: ModelShape, rates: LearningRates, step: StepShape, kind: MemoryKind): MemoryEstimate {
  const groups = Object.keys(model.groups) as ParameterGroupName[];
  const all = groups.reduce((n, g) => n + model.groups[g], 0);
  const trained = groups.reduce((n, g) => n + (rates[g] > 0 ? model.groups[g] : 0), 0);
  const { decoder, encoder } = model;
  const activations =
    (kind === 'native' ? NATIVE_ACTIVATION_SHARE : 1) *
    (step.tokens * activationBytes(decoder.blocks, decoder.width, decoder.inter) +
      (rates.vision > 0 ? step.images * encoder.patches * activationBytes(encoder.blocks, encoder.width, encoder.inter) : 0));
  const weights = BYTES * all;
  const gradients = BYTES * ((step.accumulated ?? 1) > 1 ? 2 * trained : trained);
  const optimizer = kind === 'wasm' ? BYTES * OPTIMIZER_TEMPORARIES * model.largestParameter : BYTES * (2 + NATIVE_GRADIENT_COPIES) * trained;
  const runtime = kind === 'wasm' ? 0 : NATIVE_RUNTIME_BYTES;
  const sum = weights + gradients + optimizer + activations + runtime;
  return { weights, gradients, optimizer, activations, runtime, total: kind === 'wasm' ? WASM_HEAP_OVERHEAD * sum : sum, trainedParameters: trained };
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`;
