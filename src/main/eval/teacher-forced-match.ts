// Exact match of answers in one forward pass (teacher forcing): a sample is right when, at every
// answer position up to and including its end token, the argmax of the logits is the target.
// That is exactly when greedy decoding would write the answers and stop (it follows the target
// path while the argmaxes agree, and leaves it at the first disagreement), at the cost of one
// forward pass instead of one per generated token. It can only undercount greedy exact match
// when the tokenizer could spell an answer two ways (not with the byte-level tokenizer).
import type { TrainingInputs } from '../model/processor';
import type { VlmEngine } from '../runtime/vlm-engine';
import { argMax, forEachLabelledRow } from './labelled-logits';

/** Would greedy decoding reproduce every answer of this sample (given the gold turns before it)? */
export async function answersMatch(engine: VlmEngine, inputs: TrainingInputs): Promise<boolean> {
  let labelled = 0;
  let right = 0;
  await forEachLabelledRow(engine, inputs.inputIds, inputs.targets, inputs.pixels, inputs.tiles, (row, target) => {
    labelled++;
    if (argMax(row) === target) right++;
  });
  return labelled > 0 && right === labelled;
}
