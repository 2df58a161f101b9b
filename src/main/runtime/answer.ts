// One answer from a conversation with photos: preprocess every image (the shared processor), build
// the family's prompt ids (the shared prompt module), generate with streaming until the family's
// end token. Time to first token counts from the image files, as a person waits. Images are named
// by their pixels' hash, so that the engine's prompt cache can serve a conversation's next turn.
import { createHash } from 'node:crypto';
import { stopTokenIds } from '../model/family';
import { Processor, type ImageInput } from '../model/processor';
import type { Turn } from '../model/prompt';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import { generate, type GenerateOptions, type GenerateResult } from './generate';
import { imageRowKeys } from './prompt-cache';
import type { VlmEngine } from './vlm-engine';

export interface AnswerRequest extends Omit<GenerateOptions, 'stopTokenIds' | 'detokenizer' | 'startedAt'> {
  /** every turn answered but the last */
  turns: Turn[];
  /** image files or bytes of the conversation, in order */
  images: ImageInput[];
}

export async function answer(engine: VlmEngine, tokenizer: NanoVLMTokenizer, request: AnswerRequest): Promise<GenerateResult> {
  const startedAt = performance.now();
  const processor = new Processor({ family: engine.family, config: engine.config }, tokenizer);
  const { inputIds, pixels, tiles, images } = await processor.forGeneration(request.turns, request.images);
  const rowKeys = images.flatMap((p) => imageRowKeys(pixelHash(p.pixels), p.tileCount * engine.config.mp_image_token_length));
  const { turns: _turns, images: _images, ...options } = request;
  return generate(engine, { inputIds, pixels, tiles, imageRowKeys: rowKeys }, {
    ...options,
    stopTokenIds: stopTokenIds(engine.family, tokenizer),
    detokenizer: tokenizer.streamingDecoder({ skipSpecialTokens: true }),
    startedAt,
  });
}

function pixelHash(pixels: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)).digest('hex').slice(0, 24);
}
