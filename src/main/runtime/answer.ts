// One answer from a conversation with photos: preprocess every image (the shared processor), build
// the family's prompt ids (the shared prompt module), generate with streaming until the family's
// end token. Time to first token counts from the image files, as a person waits. Images are named
// by their pixels' hash, so that the engine's prompt cache can serve a conversation's next turn.
import { createHash } from 'node:crypto';
import { imageSettingsFor, processImage } from '../model/image-processor';
import { buildGenerationIds, type Grid, type Turn } from '../model/prompt';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import { generate, type GenerateOptions, type GenerateResult } from './generate';
import { imageRowKeys } from './prompt-cache';
import { stopTokenIds } from './stop-tokens';
import type { VlmEngine } from './vlm-engine';

export interface AnswerRequest extends Omit<GenerateOptions, 'stopTokenIds' | 'detokenizer' | 'startedAt'> {
  /** every turn answered but the last */
  turns: Turn[];
  /** image files or bytes of the conversation, in order */
  images: (string | Uint8Array)[];
}

export async function answer(engine: VlmEngine, tokenizer: NanoVLMTokenizer, request: AnswerRequest): Promise<GenerateResult> {
  const startedAt = performance.now();
  const spec = { family: engine.family, config: engine.config };
  const settings = imageSettingsFor(spec);
  const processed = await Promise.all(request.images.map((image, i) => processImage(image, settings, typeof image === 'string' ? image : `image ${i + 1}`)));
  const grids: Grid[] = processed.map((p) => p.grid);
  const tiles = processed.reduce((n, p) => n + p.tileCount, 0);
  const pixels = new Float32Array(processed.reduce((n, p) => n + p.pixels.length, 0));
  processed.reduce((at, p) => (pixels.set(p.pixels, at), at + p.pixels.length), 0);
  const inputIds = buildGenerationIds(spec, tokenizer, { texts: request.turns, imageGrids: grids });
  const rowKeys = processed.flatMap((p) => imageRowKeys(pixelHash(p.pixels), p.tileCount * engine.config.mp_image_token_length));
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
