// Autoregressive generation on a VlmEngine: prefill the prompt (image embeddings placed by family),
// then one decoder run per new token over the KV cache. Text is streamed as deltas through an
// incremental detokenizer (never half a UTF-8 character); an AbortSignal stops it between tokens.
// When the request names its image rows, the engine's prompt cache lets a prompt that starts like
// the last one (the next turn of a chat) run only its new positions.
import { imagesBeforeText } from '../model/family';
import type { AssembledEmbeddings } from './embeddings';
import type { KvCache } from './kv-cache';
import { isImageRow, positionKeys, tokenKey, type PositionKey } from './prompt-cache';
import { Sampler, type SamplingOptions } from './sampler';
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

/** Turns token ids into text incrementally (the tokenizer's StreamingDecoder fits). */
export interface Detokenizer {
  push(id: number): string;
  flush(): string;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** generation stops at any of these (the family's end token); it is not part of the text */
  stopTokenIds: readonly number[];
  signal?: AbortSignal;
  detokenizer?: Detokenizer;
  onText?: (delta: string) => void;
  onToken?: (id: number) => void;
  /** when the request started (performance.now()), for time to first token; default: now */
  startedAt?: number;
}

export type StopReason = 'eos' | 'max_tokens' | 'cancelled';

export interface GenerateResult {
  tokenIds: number[];
  text: string;
  stopReason: StopReason;
  promptPositions: number;
  /** prompt positions taken from the engine's prompt cache instead of being run */
  reusedPositions: number;
  /** request start → first token chosen (image encoding and prefill included) */
  ttftMs: number;
  /** tokens per second after the first one */
  decodeTokensPerSecond: number;
  totalMs: number;
}

interface PreparedPrompt {
  /** the positions still to run */
  pending: AssembledEmbeddings;
  /** positions in all */
  length: number;
  cache: KvCache;
  reused: number;
  /** names of the prompt's positions, when the prompt cache is in use */
  keys?: PositionKey[];
}

/** The prompt's embeddings from the first position the prompt cache does not hold (all of them without it). */
async function preparePrompt(engine: VlmEngine, request: GenerateRequest): Promise<PreparedPrompt> {
  const hasImages = (request.tiles ?? 0) > 0 || (request.imageEmbeddings?.length ?? 0) > 0;
  const rowKeys = request.imageRowKeys ?? (hasImages ? undefined : []);
  const keys = rowKeys && positionKeys(engine.family, request.inputIds, rowKeys, engine.imageTokenId);
  const reuse = keys && engine.promptCache.take(keys);
  const imageRowsPending = keys && reuse ? keys.slice(reuse.reused).some(isImageRow) : true;
  if (reuse && !imageRowsPending) {
    // every image row is in the cache: the rest is text
    const textFrom = imagesBeforeText(engine.family) ? reuse.reused - rowKeys!.length : reuse.reused;
    const pending = engine.embedText(request.inputIds.slice(textFrom));
    return { pending, length: reuse.reused + pending.length, cache: reuse.cache, reused: reuse.reused, keys };
  }
  const from = reuse?.reused ?? 0;
  const imageEmbeddings = request.imageEmbeddings ?? (request.pixels ? await encodeUncachedTiles(engine, request.pixels, request.tiles ?? 0, keys, from) : new Float32Array(0));
  const prompt = engine.assemble(request.inputIds, imageEmbeddings);
  const dim = engine.embedding.dim;
  const pending = { data: prompt.data.subarray(from * dim), length: prompt.length - from };
  const cache = reuse?.cache ?? engine.decoder.newCache(prompt.length);
  return { pending, length: prompt.length, cache, reused: from, ...(keys ? { keys } : {}) };
}

/**
 * Image embeddings for every tile, computing only the tiles with a row at or after position `from`
 * (the cache holds the others: a conversation's earlier photos). Rows of cached tiles stay zero;
 * they lie before `from` and are never run. Tiles are independent in the encoder.
 */
async function encodeUncachedTiles(engine: VlmEngine, pixels: Float32Array, tiles: number, keys: PositionKey[] | undefined, from: number): Promise<Float32Array> {
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

export async function generate(engine: VlmEngine, request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
  const startedAt = options.startedAt ?? performance.now();
  // an answer ends at the model's context length: it stops there (max_tokens) rather than failing
  const context = engine.config.lm_max_position_embeddings;
  const prompt = await preparePrompt(engine, request);
  if (prompt.length >= context) throw new Error(`the conversation takes ${prompt.length} positions, the model's context is ${context}: start a new chat or use fewer or smaller images`);
  const maxNewTokens = Math.min(options.maxNewTokens, context - prompt.length);
  const cache = prompt.cache;
  const sampler = new Sampler(options, engine.config.lm_vocab_size);
  const history = [...request.inputIds];
  const generated: number[] = [];
  let text = '';
  const emit = (delta: string) => {
    if (!delta) return;
    text += delta;
    options.onText?.(delta);
  };

  let stopReason: StopReason = 'max_tokens';
  const candidates = sampler.candidatesNeeded;
  const step = (embeds: Float32Array, length: number) => (options.signal?.aborted ? undefined : engine.decoder.step(embeds, length, cache, candidates));
  let scores = await step(prompt.pending.data, prompt.pending.length);
  const firstTokenAt = performance.now();
  const tokenEmbedding = new Float32Array(engine.embedding.dim);
  while (generated.length < maxNewTokens) {
    if (options.signal?.aborted || !scores) {
      stopReason = 'cancelled';
      break;
    }
    const id = 'candidates' in scores ? sampler.fromCandidates(scores.candidates) : sampler.next(scores.logits, history);
    if (options.stopTokenIds.includes(id)) {
      stopReason = 'eos';
      break;
    }
    generated.push(id);
    history.push(id);
    options.onToken?.(id);
    if (options.detokenizer) emit(options.detokenizer.push(id));
    if (generated.length === maxNewTokens) break;
    tokenEmbedding.set(engine.embedding.matrix.subarray(id * engine.embedding.dim, (id + 1) * engine.embedding.dim));
    scores = await step(tokenEmbedding, 1);
  }
  if (options.detokenizer) emit(options.detokenizer.flush());
  // the cache now holds the prompt and every generated token that was run: the next turn's start
  if (prompt.keys) engine.promptCache.keep([...prompt.keys, ...generated.map(tokenKey)], cache);
  const end = performance.now();
  const decodeSeconds = (end - firstTokenAt) / 1000;
  return {
    tokenIds: generated,
    text,
    stopReason,
    promptPositions: prompt.length,
    reusedPositions: prompt.reused,
    ttftMs: firstTokenAt - startedAt,
    decodeTokensPerSecond: generated.length > 1 && decodeSeconds > 0 ? (generated.length - 1) / decodeSeconds : 0,
    totalMs: end - startedAt,
  };
}
