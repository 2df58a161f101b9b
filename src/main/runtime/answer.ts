// One answer from a conversation with photos: the processor turns the conversation and its photos
// into model inputs, then generation streams until the family's end token. Time to first token
// counts from the image files, as a person waits. Images are named by their pixels' hash, so that
// the engine's prompt cache can serve a conversation's next turn (and a prefill on attach).
import { createHash } from 'node:crypto';
import { stopTokenIds } from '../model/family';
import { Processor, type ImageInput, type ProcessedImages } from '../model/processor';
import type { Turn } from '../model/prompt';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import { generate, type GenerateOptions, type GenerateRequest, type GenerateResult } from './generate';
import { imageRowKeys, type PositionKey } from './prompt-cache';
import type { VlmEngine } from './vlm-engine';

export interface AnswerRequest extends Omit<GenerateOptions, 'stopTokenIds' | 'detokenizer' | 'startedAt'> {
  /** every turn answered but the last */
  turns: Turn[];
  /** image files or bytes of the conversation, in order */
  images: ImageInput[];
  /** instructions before the conversation (a chat's system prompt) */
  system?: string;
}

export async function answer(engine: VlmEngine, tokenizer: NanoVLMTokenizer, request: AnswerRequest): Promise<GenerateResult> {
  const startedAt = performance.now();
  const { turns, images, system, ...options } = request;
  return generate(engine, await answerInputs(engine, tokenizer, turns, images, system), {
    ...options,
    stopTokenIds: stopTokenIds(engine.family, tokenizer),
    detokenizer: tokenizer.streamingDecoder({ skipSpecialTokens: true }),
    startedAt,
  });
}

/** The model inputs of a conversation whose last turn is the question (`system`: the chat's system prompt). */
export async function answerInputs(
  engine: VlmEngine,
  tokenizer: NanoVLMTokenizer,
  turns: readonly Turn[],
  images: readonly ImageInput[],
  system?: string,
): Promise<GenerateRequest> {
  const processor = processorFor(engine, tokenizer);
  const photos = await namedImages(engine, processor, images);
  return { inputIds: processor.generationIds(turns, photos.grids, system), pixels: photos.pixels, tiles: photos.tiles, imageRowKeys: photos.rowKeys };
}

export const processorFor = (engine: VlmEngine, tokenizer: NanoVLMTokenizer): Processor =>
  new Processor({ family: engine.family, config: engine.config }, tokenizer);

export interface NamedImages extends ProcessedImages {
  /** one name per image-embedding row, from the image's pixels */
  rowKeys: PositionKey[];
}

/** The photos through the processor, their embedding rows named by content. */
export async function namedImages(engine: VlmEngine, processor: Processor, images: readonly ImageInput[]): Promise<NamedImages> {
  const processed = await processor.images(images);
  const rowKeys = processed.images.flatMap((p) => imageRowKeys(pixelHash(p.pixels), p.tileCount * engine.config.mp_image_token_length));
  return { ...processed, rowKeys };
}

function pixelHash(pixels: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
    .digest('hex')
    .slice(0, 24);
}
