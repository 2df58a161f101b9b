// Runs the decoder graph over a KV cache: each call appends `length` input embeddings to the
// cache and returns what the sampler needs of the last position: every logit, or (fused export)
// only the graph's best candidates, so that a greedy or top-k token costs no copy and no JavaScript
// pass over the vocabulary (decoder-io.ts). run() returns the logits (every position for an
// allLogits export).
import * as ort from 'onnxruntime-node';
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { ATTENTION_MASK, INPUTS_EMBEDS, LOGITS, TOP_IDS, TOP_K, TOP_SCORES } from '../onnx/decoder-io';
import { BufferedKvCache, ConcatKvCache, type KvCache } from './kv-cache';
import type { Candidates } from './sampler';

/** What a step returns: the last position's logits [V], or its best candidates. */
export type NextScores = { logits: Float32Array } | { candidates: Candidates };

export class DecoderSession {
  private ones = new BigInt64Array(0);
  /** the graph picks the best candidates itself (input top_k) */
  readonly picksCandidates: boolean;

  /** `bufferedCache`: the graph takes preallocated cache buffers and returns appended positions (fused export) */
  constructor(private readonly session: ort.InferenceSession, private readonly config: NanoVLMConfig, private readonly bufferedCache: boolean) {
    this.picksCandidates = session.inputNames.includes(TOP_K);
  }

  /** A cache sized for a first run of `firstRunPositions` (the prompt); it grows as tokens come. */
  newCache(firstRunPositions = 32): KvCache {
    const c = this.config;
    const shape = { layers: c.lm_n_blocks, kvHeads: c.lm_n_kv_heads, headDim: lmHeadDim(c) };
    return this.bufferedCache ? new BufferedKvCache(shape, c.lm_max_position_embeddings, firstRunPositions) : new ConcatKvCache(shape);
  }

  /** Append `length` embeddings ([length, D]) to the cache; returns logits [positions, V]. */
  async run(embeds: Float32Array, length: number, cache: KvCache): Promise<Float32Array> {
    const out = await this.runGraph(embeds, length, cache, 0);
    return out[LOGITS]!.data as Float32Array;
  }

  /**
   * Append `length` embeddings and return the next token's scores: the best `candidates` when the
   * graph can pick them (and `candidates` > 0), else the last position's logits.
   */
  async step(embeds: Float32Array, length: number, cache: KvCache, candidates: number): Promise<NextScores> {
    const k = this.picksCandidates ? Math.min(candidates, this.config.lm_vocab_size) : 0;
    const out = await this.runGraph(embeds, length, cache, k);
    if (k === 0) {
      const logits = out[LOGITS]!.data as Float32Array;
      return { logits: logits.subarray(logits.length - this.config.lm_vocab_size) };
    }
    const ids = out[TOP_IDS]!.data as BigInt64Array;
    return { candidates: { ids: Array.from(ids, Number), scores: out[TOP_SCORES]!.data as Float32Array } };
  }

  /** One graph run; `k` > 0 fetches the best k candidates instead of the logits. */
  private async runGraph(embeds: Float32Array, length: number, cache: KvCache, k: number): Promise<ort.InferenceSession.ReturnType> {
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
