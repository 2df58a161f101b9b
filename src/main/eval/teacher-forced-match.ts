// Exact match of answers in one forward pass (teacher forcing): a row is right when, at every
// answer position up to and including the end token, the argmax of the logits is the target.
// That is exactly when greedy decoding would write the answer and stop (it follows the target
// path while the argmaxes agree, and leaves it at the first disagreement), measured for a
// whole batch at the cost of one forward pass instead of one per generated token. It can only
// undercount greedy exact match when the tokenizer could spell the answer two ways (not with
// the byte-level tokenizer).
import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../model/prompt';
import type { TrainingBatch } from '../training/data/batch';
import { vlmLogits, type VisionLanguageModel } from '../training/tfjs/model/vision-language-model';

/** Per row of the batch: would greedy decoding reproduce its answer (through `endTokenId`)? */
export function answersMatch(model: VisionLanguageModel, batch: TrainingBatch, endTokenId: number): boolean[] {
  const predicted = tf.tidy(() => vlmLogits(model, batch).argMax(-1).dataSync() as Int32Array);
  return Array.from({ length: batch.rows }, (_, row) => rowMatches(predicted, batch.targets, row * batch.length, batch.length, endTokenId));
}

function rowMatches(predicted: Int32Array, targets: Int32Array, start: number, length: number, endTokenId: number): boolean {
  let sawTarget = false;
  for (let t = start; t < start + length; t++) {
    const target = targets[t]!;
    if (target === IGNORE_INDEX) continue;
    sawTarget = true;
    if (predicted[t] !== target) return false;
    if (target === endTokenId) return true;
  }
  return sawTarget;
}
