// One teacher-forced forward pass through the ONNX graphs (an allLogits export), visiting the
// logits of every labelled position with its target: what the validation loss and teacher-forced
// exact match are computed from.
import { IGNORE_INDEX } from '../model/prompt';
import type { VlmEngine } from '../runtime/vlm-engine';

/** `visit(row, target)` for each position t whose target[t] is a label; row is that position's logits. */
export async function forEachLabelledRow(
  engine: VlmEngine,
  inputIds: readonly number[],
  targets: readonly number[],
  pixels: Float32Array,
  tiles: number,
  visit: (row: Float32Array, target: number) => void,
): Promise<void> {
  const { logits, positions } = await engine.forward(inputIds, pixels, tiles);
  // prefix models put the image embeddings before the text: the text's logits come last
  const offset = positions - inputIds.length;
  const vocab = engine.config.lm_vocab_size;
  targets.forEach((target, t) => {
    if (target !== IGNORE_INDEX) visit(logits.subarray((offset + t) * vocab, (offset + t + 1) * vocab), target);
  });
}

export function argMax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}
