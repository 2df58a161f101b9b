// Autoregressive generation on a VlmEngine: prefill the prompt (image embeddings placed by family),
// then one decoder run per new token over the KV cache. Text is streamed as deltas through an
// incremental detokenizer (never half a UTF-8 character); an AbortSignal stops it between tokens.
// When the request names its image rows, the engine's prompt cache lets a prompt that starts like
// the last one (the next turn of a chat) run only its new positions.
import { preparePrompt, promptKeys, type GenerateRequest } from './prepare-prompt';
import { tokenKey } from './prompt-cache';
import { Sampler, type SamplingOptions } from './sampler';
import type { VlmEngine } from './vlm-engine';

export type { GenerateRequest } from './prepare-prompt';

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
  /** the answer ended because the model's context was full (stopReason says max_tokens) */
  contextFull: boolean;
}

export async function generate(engine: VlmEngine, request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
  // a background prefill of this prompt's start is awaited, any other one stopped (background-prefill.ts)
  const leave = await engine.backgroundPrefill.enterGeneration(promptKeys(engine, request));
  try {
    return await generateNow(engine, request, options);
  } finally {
    leave();
  }
}

async function generateNow(engine: VlmEngine, request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
  const startedAt = options.startedAt ?? performance.now();
  // an answer ends at the model's context length: it stops there (max_tokens) rather than failing
  const context = engine.config.lm_max_position_embeddings;
  const prompt = await preparePrompt(engine, request);
  if (prompt.length >= context) throw new Error(tooLongMessage(prompt.length, imageRowCount(engine, request), context));
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
    contextFull: stopReason === 'max_tokens' && maxNewTokens < options.maxNewTokens,
  };
}

/** Positions the images take in the prompt (their embedding rows). */
function imageRowCount(engine: VlmEngine, request: GenerateRequest): number {
  if (request.imageEmbeddings) return request.imageEmbeddings.length / engine.embedding.dim;
  return (request.tiles ?? 0) * engine.config.mp_image_token_length;
}

/** Why a prompt does not fit, with the advice that fits: the text, the photos, or the conversation's length. */
export function tooLongMessage(positions: number, imagePositions: number, context: number): string {
  const textPositions = positions - imagePositions;
  const what = `the conversation takes ${positions.toLocaleString('en')} positions (text ${textPositions.toLocaleString('en')}, photos ${imagePositions.toLocaleString('en')}), the model's context is ${context.toLocaleString('en')}`;
  if (textPositions >= context * 0.5 && textPositions >= imagePositions) return `${what}: shorten the question, or start a new chat if earlier turns are long`;
  if (imagePositions >= context * 0.5) return `${what}: use fewer or smaller photos`;
  return `${what}: start a new chat`;
}
