// Greedy generation with the TF.js model, for evaluating what a run has learned without leaving
// the trainer: the prompt ids (built by prompt.ts buildGenerationIds, placeholders included) and
// the pixels of each prompt's images; argmax token by token until the end token. The whole
// sequence is recomputed every step (no KV cache): fine for short answers. Finished rows leave
// the batch.
import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../model/prompt';
import { collate, type CollateSample } from '../training/data/collate';
import { vlmLogits, type VisionLanguageModel } from '../training/tfjs/model/vision-language-model';

export interface GenerationPrompt {
  inputIds: readonly number[];
  /** [tiles, 3, S, S] */
  pixels: Float32Array;
  tileCount: number;
}

export interface GreedyOptions {
  endTokenId: number;
  maxNewTokens: number;
}

/** The argmax next token of every row (left-padded batch: the last position is each row's end). */
function nextTokens(model: VisionLanguageModel, rows: readonly CollateSample[], padId: number): Int32Array {
  const batch = collate(rows, padId);
  return tf.tidy(() => {
    const logits = vlmLogits(model, batch);
    return logits.slice([0, batch.length - 1, 0], [-1, 1, -1]).argMax(-1).dataSync() as Int32Array;
  });
}

/** Generated ids per prompt, without the end token. */
export function greedyDecode(model: VisionLanguageModel, prompts: readonly GenerationPrompt[], options: GreedyOptions): number[][] {
  const generated = prompts.map((): number[] => []);
  let active = prompts.map((_, i) => i);
  for (let step = 0; step < options.maxNewTokens && active.length > 0; step++) {
    const rows = active.map((i): CollateSample => {
      const ids = [...prompts[i]!.inputIds, ...generated[i]!];
      return { inputIds: ids, targets: ids.map(() => IGNORE_INDEX), pixels: prompts[i]!.pixels, tileCount: prompts[i]!.tileCount };
    });
    const next = nextTokens(model, rows, options.endTokenId);
    active = active.filter((i, r) => {
      if (next[r] === options.endTokenId) return false;
      generated[i]!.push(next[r]!);
      return true;
    });
  }
  return generated;
}
