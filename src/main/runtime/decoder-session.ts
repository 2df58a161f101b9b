// Runs the decoder graph over a KV cache: each call appends `length` input embeddings to the
// cache and returns what the sampler needs of the last position: every logit, or (fused export)
// only the graph's best candidates, so that a greedy or top-k token costs no copy and no JavaScript
// pass over the vocabulary (decoder-io.ts). run() returns the logits (every position for an
// allLogits export).
import * as ort from 'onnxruntime-node';
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { ATTENTION_MASK, INPUTS_EMBEDS, LOGITS, TOP_IDS, TOP_K, TOP_SCORES, type CacheLayout } from '../onnx/decoder-io';
import { newKvCache, type DecoderCache, type KvCache } from './kv-cache';
import type { Candidates } from './sampler';

/** What a step returns: the last position's logits [V], or its best candidates. */
export type NextScores = { logits: Float32Array } | { candidates: Candidates };

/**
 * The most positions one run of the fused graph may add on the WebGPU provider. onnxruntime-node
 * 1.30's WebGPU GroupQueryAttention takes another kernel (flash attention) from 32 new positions
 * on, and that kernel's rows past the 8th came out wrong on lavapipe (up to 0.45 in the logits);
 * runs of up to 31 positions match the CPU provider within 1e-5. A longer prompt runs in pieces.
 */
export const WEBGPU_FUSED_MAX_RUN = 31;

/** A decoder as generation uses it: here (DecoderSession) or on the inference thread (threaded-model.ts). */
export interface Decoder {
  /** the graph picks the best candidates itself (input top_k) */
  readonly picksCandidates: boolean;
  newCache(firstRunPositions?: number): DecoderCache;
  run(embeds: Float32Array, length: number, cache: DecoderCache): Promise<Float32Array>;
  step(embeds: Float32Array, length: number, cache: DecoderCache, candidates: number): Promise<NextScores>;
  dispose(): Promise<void>;
}

export class DecoderSession implements Decoder {
  private ones = new BigInt64Array(0);
  /** the graph picks the best candidates itself (input top_k) */
  readonly picksCandidates: boolean;

  /**
   * `cacheLayout`: how the graph takes and returns its cache (decoder-io.ts).
   * `maxRunPositions`: longer inputs run in pieces of at most this many positions.
   */
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: NanoVLMConfig,
    private readonly cacheLayout: CacheLayout,
    private readonly maxRunPositions = Number.POSITIVE_INFINITY,
  ) {
    this.picksCandidates = session.inputNames.includes(TOP_K);
  }

  /** A cache sized for a first run of `firstRunPositions` (the prompt); it grows as tokens come. */
  newCache(firstRunPositions = 32): KvCache {
    const c = this.config;
    const shape = { layers: c.lm_n_blocks, kvHeads: c.lm_n_kv_heads, headDim: lmHeadDim(c) };
    return newKvCache(this.cacheLayout, shape, c.lm_max_position_embeddings, firstRunPositions);
  }

  /** Append `length` embeddings ([length, D]) to the cache; returns logits [positions, V]. */
  async run(embeds: Float32Array, length: number, cache: DecoderCache): Promise<Float32Array> {
    const V = this.config.lm_vocab_size;
    let all: Float32Array | undefined;
    let last: Float32Array = new Float32Array(0);
    for (const [from, count] of this.pieces(length)) {
      last = (await this.runGraph(this.piece(embeds, from, count), count, cache, 0))[LOGITS]!.data as Float32Array;
      // an allLogits export gives every position's logits: gather them across pieces
      if (count < length && last.length === count * V && count > 1) all ??= new Float32Array(length * V);
      all?.set(last, from * V);
    }
    return all ?? last;
  }

  /**
   * Append `length` embeddings and return the next token's scores: the best `candidates` when the
   * graph can pick them (and `candidates` > 0), else the last position's logits.
   */
  async step(embeds: Float32Array, length: number, cache: DecoderCache, candidates: number): Promise<NextScores> {
    const k = this.picksCandidates ? Math.min(candidates, this.config.lm_vocab_size) : 0;
    let out: ort.InferenceSession.ReturnType = {};
    for (const [from, count] of this.pieces(length)) {
      out = await this.runGraph(this.piece(embeds, from, count), count, cache, from + count === length ? k : 0);
    }
    if (k === 0) {
      const logits = out[LOGITS]!.data as Float32Array;
      return { logits: logits.subarray(logits.length - this.config.lm_vocab_size) };
    }
    const ids = out[TOP_IDS]!.data as BigInt64Array;
    return { candidates: { ids: Array.from(ids, Number), scores: out[TOP_SCORES]!.data as Float32Array } };
  }

  /** [from, count] of each run for `length` new positions (one run unless the provider limits it). */
  private *pieces(length: number): Generator<[number, number]> {
    const size = Math.min(length, this.maxRunPositions);
    for (let from = 0; from < length; from += size) yield [from, Math.min(size, length - from)];
  }

  private piece(embeds: Float32Array, from: number, count: number): Float32Array {
    const D = this.config.lm_hidden_dim;
    return from === 0 && count * D === embeds.length ? embeds : embeds.subarray(from * D, (from + count) * D);
  }

  /** One graph run; `k` > 0 fetches the best k candidates instead of the logits. */
  private async runGraph(embeds: Float32Array, length: number, decoderCache: DecoderCache, k: number): Promise<ort.InferenceSession.ReturnType> {
    const cache = decoderCache as KvCache; // made by newCache()
    const D = this.config.lm_hidden_dim;
    if (embeds.length !== length * D) throw new Error(`inputs_embeds: ${embeds.length} values, expected [1, ${length}, ${D}]`);
    const total = cache.length + length;
    const feeds: Record<string, ort.Tensor> = {
      [INPUTS_EMBEDS]: new ort.Tensor('float32', embeds, [1, length, D]),
      [ATTENTION_MASK]: new ort.Tensor('int64', this.onesOf(total), [1, total]),
    };
    const fetches: Record<string, ort.Tensor | null> = k > 0 ? { [TOP_SCORES]: null, [TOP_IDS]: null } : { [LOGITS]: null };
    if (this.picksCandidates) feeds[TOP_K] = new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.max(1, k))), [1]);
    cache.bind(feeds, fetches, total);
    const out = await this.session.run(feeds, fetches);
    cache.update(out, total);
    return out;
  }

  // An unpadded sequence's attention mask: all ones; a view of one buffer that grows as needed.
  private onesOf(total: number): BigInt64Array {
    if (this.ones.length < total) this.ones = new BigInt64Array(Math.max(total, 2 * this.ones.length)).fill(1n);
    return this.ones.subarray(0, total);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
