// Runs the decoder graph over a KV cache: each call appends `length` input embeddings to the
// cache and returns the logits (last position, or every position for an allLogits export).
import * as ort from 'onnxruntime-node';
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { ATTENTION_MASK, INPUTS_EMBEDS, LOGITS } from '../onnx/decoder-io';
import { BufferedKvCache, ConcatKvCache, type KvCache } from './kv-cache';

export class DecoderSession {
  private ones = new BigInt64Array(0);

  /** `bufferedCache`: the graph takes preallocated cache buffers and returns appended positions (fused export) */
  constructor(private readonly session: ort.InferenceSession, private readonly config: NanoVLMConfig, private readonly bufferedCache: boolean) {}

  newCache(expectedPositions = 256): KvCache {
    const c = this.config;
    const shape = { layers: c.lm_n_blocks, kvHeads: c.lm_n_kv_heads, headDim: lmHeadDim(c) };
    return this.bufferedCache ? new BufferedKvCache(shape, c.lm_max_position_embeddings, expectedPositions) : new ConcatKvCache(shape);
  }

  /** Append `length` embeddings ([length, D]) to the cache; returns logits [positions, V]. */
  async run(embeds: Float32Array, length: number, cache: KvCache): Promise<Float32Array> {
    const D = this.config.lm_hidden_dim;
    if (embeds.length !== length * D) throw new Error(`inputs_embeds: ${embeds.length} values, expected [1, ${length}, ${D}]`);
    const total = cache.length + length;
    const feeds: Record<string, ort.Tensor> = {
      [INPUTS_EMBEDS]: new ort.Tensor('float32', embeds, [1, length, D]),
      [ATTENTION_MASK]: new ort.Tensor('int64', this.onesOf(total), [1, total]),
    };
    const fetches: Record<string, ort.Tensor | null> = { [LOGITS]: null };
    cache.bind(feeds, fetches, total);
    const out = await this.session.run(feeds, fetches);
    cache.update(out, total);
    return out[LOGITS]!.data as Float32Array;
  }

  // An unpadded sequence's attention mask: all ones, kept while the length repeats.
  private onesOf(total: number): BigInt64Array {
    if (this.ones.length !== total) this.ones = new BigInt64Array(total).fill(1n);
    return this.ones;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
