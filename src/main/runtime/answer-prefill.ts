// Prefill on attach: while a person writes a question about the photos just attached, the engine
// encodes them and runs the conversation up to where the question goes into its prompt cache
// (prefill.ts, in the background: background-prefill.ts). The question's text is not known yet, so
// the known start is the longest start shared by the prompts of two unlike probe questions; where
// the real question's first token merges with the text before it, the prompt cache simply reuses
// fewer positions (it compares every position's name), so an answer never depends on the prefill.
import type { ImageInput } from '../model/processor';
import type { Turn } from '../model/prompt';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import { namedImages, processorFor } from './answer';
import type { PrefillOutcome } from './background-prefill';
import { prefill } from './prefill';
import { isImageRow, positionKeys } from './prompt-cache';
import type { VlmEngine } from './vlm-engine';

/** Questions that begin unlike each other (a letter, a digit) and unlike most template text. */
const PROBE_QUESTIONS = ['a', '7'];

export interface PrefillRequest {
  /** the conversation so far: every turn answered */
  turns: Turn[];
  /** every photo of the conversation, the new ones included */
  images: ImageInput[];
  /** the chat's system prompt */
  system?: string;
}

/**
 * Start prefilling the prompt of the conversation's next question in the background (replacing any
 * prefill the engine was doing). Resolves when it has finished or was cancelled (`signal`, a newer
 * prefill, or a generation that cannot use it).
 */
export function prefillAnswer(engine: VlmEngine, tokenizer: NanoVLMTokenizer, request: PrefillRequest, signal?: AbortSignal): Promise<PrefillOutcome> {
  if (request.turns.some((t) => t.assistant === undefined)) throw new Error('prefill: every earlier turn must have its answer');
  return engine.backgroundPrefill.start(async (stop, describe) => {
    const processor = processorFor(engine, tokenizer);
    const photos = await namedImages(engine, processor, request.images);
    if (stop.aborted) return;
    const inputIds = knownStart(PROBE_QUESTIONS.map((user) => processor.generationIds([...request.turns, { user }], photos.grids, request.system)));
    // every image row must precede the question for its start to be run alone
    const keys = positionKeys(engine.family, inputIds, photos.rowKeys, engine.imageTokenId);
    if (keys.filter(isImageRow).length !== photos.rowKeys.length || keys.some((k) => k.startsWith('missing'))) return;
    await prefill(engine, { inputIds, pixels: photos.pixels, tiles: photos.tiles, imageRowKeys: photos.rowKeys }, stop, describe);
  }, signal);
}

/** The longest start the id lists share. */
function knownStart(prompts: number[][]): number[] {
  const [first, ...others] = prompts;
  let length = first!.length;
  for (const other of others) {
    let shared = 0;
    while (shared < Math.min(length, other.length) && other[shared] === first![shared]) shared++;
    length = shared;
  }
  return first!.slice(0, length);
}
