// A prompt ready to run: its embeddings from the first position the engine's prompt cache does not
// hold (every position without it), and the cache to run them into. Shared by generation and by
// the background prefill of a prompt's known start (prefill.ts). Image tiles whose rows are all
// cached are not encoded again.
import { imagesBeforeText } from '../model/family';
import type { AssembledEmbeddings } from './embeddings';
import type { DecoderCache } from './kv-cache';
import { isImageRow, positionKeys, type PositionKey } from './prompt-cache';
import type { VlmEngine } from './vlm-engine';

export interface GenerateRequest {
  /** prompt token ids; for inline/split they contain the image placeholders */
  inputIds: readonly number[];
  /** every image tile of the conversation [T, 3, P, P], in placeholder order */
  pixels?: Float32Array;
  tiles?: number;
  /** image embeddings [T·L, D] already computed (instead of pixels) */
  imageEmbeddings?: Float32Array;
  /**
   * One name per image-embedding row, from the image's content (prompt-cache.ts imageRowKeys):
   * given (or with no images at all), the engine's prompt cache is used and kept.
   */
  imageRowKeys?: PositionKey[];
}

export interface PreparedPrompt {
  /** the positions still to run */
  pending: AssembledEmbeddings;
  /** positions in all */
  length: number;
  cache: DecoderCache;
  reused: number;
  /** names of the prompt's positions, when the prompt cache is in use */
  keys?: PositionKey[];
}

/**
 * The prompt's embeddings from the first position the prompt cache does not hold (all of them
 * without it). `onKeys` learns the positions' names (when the cache is in use) before any model runs.
 */
export async function preparePrompt(engine: VlmEngine, request: GenerateRequest, onKeys?: (keys: readonly PositionKey[]) => void): Promise<PreparedPrompt> {
  const rowKeys = imageRowKeysOf(request);
  const keys = promptKeys(engine, request);
  if (keys) onKeys?.(keys);
  const reuse = keys && engine.promptCache.take(keys);
  const imageRowsPending = keys && reuse ? keys.slice(reuse.reused).some(isImageRow) : true;
  if (reuse && !imageRowsPending) {
    // every image row is in the cache: the rest is text
    const textFrom = imagesBeforeText(engine.family) ? reuse.reused - rowKeys!.length : reuse.reused;
    const pending = engine.embedText(request.inputIds.slice(textFrom));
    return { pending, length: reuse.reused + pending.length, cache: reuse.cache, reused: reuse.reused, keys };
  }
  const from = reuse?.reused ?? 0;
  const imageEmbeddings =
    request.imageEmbeddings ?? (request.pixels ? await encodeUncachedTiles(engine, request.pixels, request.tiles ?? 0, keys, from) : new Float32Array(0));
  const prompt = engine.assemble(request.inputIds, imageEmbeddings);
  const dim = engine.embedding.dim;
  const pending = { data: prompt.data.subarray(from * dim), length: prompt.length - from };
  const cache = reuse?.cache ?? engine.decoder.newCache(prompt.length);
  return { pending, length: prompt.length, cache, reused: from, ...(keys ? { keys } : {}) };
}

/** The names of the prompt's positions; undefined when its images are not named (no prompt cache). */
export function promptKeys(engine: VlmEngine, request: GenerateRequest): PositionKey[] | undefined {
  const rowKeys = imageRowKeysOf(request);
  return rowKeys && positionKeys(engine.family, request.inputIds, rowKeys, engine.imageTokenId);
}

/** The request's image row names; a prompt without images needs none. */
function imageRowKeysOf(request: GenerateRequest): PositionKey[] | undefined {
  const hasImages = (request.tiles ?? 0) > 0 || (request.imageEmbeddings?.length ?? 0) > 0;
  return request.imageRowKeys ?? (hasImages ? undefined : []);
}

/**
 * Image embeddings for every tile, computing only the tiles with a row at or after position `from`
 * (the cache holds the others: a conversation's earlier photos). Rows of cached tiles stay zero;
 * they lie before `from` and are never run. Tiles are independent in the encoder.
 */
async function encodeUncachedTiles(
  engine: VlmEngine,
  pixels: Float32Array,
  tiles: number,
  keys: PositionKey[] | undefined,
  from: number,
): Promise<Float32Array> {
  const rowsPerTile = engine.config.mp_image_token_length;
  const cachedImageRows = keys ? keys.slice(0, from).filter(isImageRow).length : 0;
  const firstTile = Math.min(tiles, Math.floor(cachedImageRows / rowsPerTile));
  if (firstTile === 0) return engine.encodeImages(pixels, tiles);
  const perTile = pixels.length / tiles;
  const valuesPerTile = rowsPerTile * engine.config.lm_hidden_dim;
  const all = new Float32Array(tiles * valuesPerTile);
  if (firstTile < tiles) all.set(await engine.encodeImages(pixels.subarray(firstTile * perTile), tiles - firstTile), firstTile * valuesPerTile);
  return all;
}
