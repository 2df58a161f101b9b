// Autoregressive generation on a VlmEngine: prefill the prompt (image embeddings placed by family),
// then one decoder run per new token over the KV cache. Text is streamed as deltas through an
// incremental detokenizer (never half a UTF-8 character); an AbortSignal stops it between tokens.
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
  /** request start → first token chosen (image encoding and prefill included) */
  ttftMs: number;
  /** tokens per second after the first one */
  decodeTokensPerSecond: number;
  totalMs: number;
}

export async function generate(engine: VlmEngine, request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
  const startedAt = options.startedAt ?? performance.now();
  const imageEmbeddings = request.imageEmbeddings ?? (request.pixels ? await engine.encodeImages(request.pixels, request.tiles ?? 0) : new Float32Array(0));
  const prompt = engine.assemble(request.inputIds, imageEmbeddings);
  const sampler = new Sampler(options, engine.config.lm_vocab_size);
  // an answer ends at the model's context length: it stops there (max_tokens) rather than failing
  const context = engine.config.lm_max_position_embeddings;
  if (prompt.length >= context) throw new Error(`the conversation takes ${prompt.length} positions, the model's context is ${context}: start a new chat or use fewer or smaller images`);
  const maxNewTokens = Math.min(options.maxNewTokens, context - prompt.length);
  const cache = engine.decoder.newCache(prompt.length + maxNewTokens);
  const history = [...request.inputIds];
  const generated: number[] = [];
  let text = '';
  const emit = (delta: string) => {
    if (!delta) return;
    text += delta;
    options.onText?.(delta);
  };

  let stopReason: StopReason = 'max_tokens';
  let logits = options.signal?.aborted ? undefined : await engine.decoder.run(prompt.data, prompt.length, cache);
  const firstTokenAt = performance.now();
  const tokenEmbedding = new Float32Array(engine.embedding.dim);
  while (generated.length < maxNewTokens) {
    if (options.signal?.aborted || !logits) {
      stopReason = 'cancelled';
      break;
    }
    const id = sampler.next(lastRow(logits, engine.config.lm_vocab_size), history);
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
    logits = options.signal?.aborted ? undefined : await engine.decoder.run(tokenEmbedding, 1, cache);
  }
  if (options.detokenizer) emit(options.detokenizer.flush());
  const end = performance.now();
  const decodeSeconds = (end - firstTokenAt) / 1000;
  return {
    tokenIds: generated,
    text,
    stopReason,
    promptPositions: prompt.length,
    ttftMs: firstTokenAt - startedAt,
    decodeTokensPerSecond: generated.length > 1 && decodeSeconds > 0 ? (generated.length - 1) / decodeSeconds : 0,
    totalMs: end - startedAt,
  };
}

function lastRow(logits: Float32Array, vocab: number): Float32Array {
  return logits.subarray(logits.length - vocab);
}
