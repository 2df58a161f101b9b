// Validation loss through the ONNX graphs: nanoVLM's objective (mean cross-entropy over the answer
// tokens and the end token that follows them) on held-out samples, one forward pass each with
// logits at every position (an allLogits export).
import { Processor } from '../model/processor';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import type { VlmEngine } from '../runtime/vlm-engine';
import type { EvalSample } from './evaluate';
import { forEachLabelledRow } from './labelled-logits';

export interface ValLoss {
  /** mean over every labelled token of every sample (as nanoVLM averages a batch) */
  loss: number;
  tokens: number;
}

export async function validationLoss(engine: VlmEngine, tokenizer: NanoVLMTokenizer, samples: EvalSample[], signal?: AbortSignal): Promise<ValLoss> {
  const processor = new Processor({ family: engine.family, config: engine.config }, tokenizer);
  let sum = 0;
  let tokens = 0;
  for (const sample of samples) {
    if (signal?.aborted) throw signal.reason as Error;
    const { inputIds, targets, pixels, tiles } = await processor.forTraining(sample.texts, sample.images);
    const part = await sequenceLoss(engine, inputIds, targets, pixels, tiles);
    sum += part.sum;
    tokens += part.tokens;
  }
  return { loss: tokens ? sum / tokens : Number.NaN, tokens };
}

/** Summed cross-entropy of one sequence's targets (targets[t] is what position t must predict). */
export async function sequenceLoss(
  engine: VlmEngine,
  inputIds: readonly number[],
  targets: readonly number[],
  pixels: Float32Array,
  tiles: number,
): Promise<{ sum: number; tokens: number }> {
  let sum = 0;
  let tokens = 0;
  await forEachLabelledRow(engine, inputIds, targets, pixels, tiles, (row, target) => {
    sum += crossEntropy(row, target);
    tokens++;
  });
  return { sum, tokens };
}

/** −log softmax(row)[target], computed stably. */
function crossEntropy(row: Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let total = 0;
  for (const v of row) total += Math.exp(v - max);
  return Math.log(total) + max - row[target]!;
}
