// Prefill: run the known start of a prompt (a conversation up to where the next question goes,
// photos included) into the engine's prompt cache, choosing no token. When the question comes,
// generation finds those positions in the cache and runs only the question's own (generate.ts).
// The request must name its image rows (GenerateRequest.imageRowKeys) so the cache can be matched.
import { preparePrompt, type GenerateRequest } from './prepare-prompt';
import type { PositionKey } from './prompt-cache';
import type { VlmEngine } from './vlm-engine';

export interface PrefillResult {
  /** positions the cache holds for this prompt afterwards */
  positions: number;
  /** of those, positions that were already cached */
  reused: number;
  cancelled: boolean;
}

/**
 * Fill the prompt cache with `request`'s positions. `signal` stops it between its stages (image
 * encoding, the decoder run); what is cached by then stays cached. `onKeys` learns the positions'
 * names before any model runs.
 */
export async function prefill(
  engine: VlmEngine,
  request: GenerateRequest,
  signal?: AbortSignal,
  onKeys?: (keys: readonly PositionKey[]) => void,
): Promise<PrefillResult> {
  if (!request.imageRowKeys) throw new Error('prefill: the request must name its image rows (imageRowKeys) to be found in the prompt cache');
  if (signal?.aborted) return { positions: 0, reused: 0, cancelled: true };
  const prompt = await preparePrompt(engine, request, onKeys);
  const keys = prompt.keys!;
  if (signal?.aborted) {
    // the cache was taken from the prompt cache: give back what it still holds
    engine.promptCache.keep(keys, prompt.cache);
    return { positions: prompt.cache.length, reused: prompt.reused, cancelled: true };
  }
  // one candidate is the smallest thing the graph can return (the logits are not needed)
  await engine.decoder.step(prompt.pending.data, prompt.pending.length, prompt.cache, 1);
  engine.promptCache.keep(keys, prompt.cache);
  return { positions: prompt.length, reused: prompt.reused, cancelled: false };
}
