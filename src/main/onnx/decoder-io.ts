// The decoder graphs' interface, shared by the exports and by the runtime:
//   inputs_embeds [batch, seq, D] f32, attention_mask [batch, total] int64 (1 attend, 0 padding),
//   past_key_values.{i}.key/.value (layer i's cache, in the graph's CacheLayout)
//   → logits [batch, 1 | seq, V] (last position, or every position with allLogits),
//     and the cache's new state, as the layout says:
//     'concat' (plain graph): past [batch, kv, past, hd]; present.{i}.key/.value [batch, kv, total, hd]
//       (total = past + seq), fed back as the next past.
//     'positions' (fused graph, the CPU's): past [1, past, kv·hd], position-major, so that the
//       runtime passes a view of the first `past` rows of a buffer with room to grow; appended_kv
//       [2·layers, seq, kv·hd], the positions this run added.
//     'heads' (fused graph for GPU providers, GroupQueryAttention): past [1, kv, capacity, hd], a
//       preallocated buffer of which the mask says how many positions count; appended_kv
//       [2·layers, kv, seq, hd].
//   In appended_kv layer i's keys sit at 2i and its values at 2i + 1, in ONE output: the Node
//   binding copies every output it returns into a fresh buffer, and one small tensor costs less
//   than 2·layers (returning the whole cache would cost a copy of every layer's buffer per token).
//   The fused graphs also pick the next token's candidates, so that sampling never copies or scans
//   the whole vocabulary in JavaScript: input top_k int64 [1] → top_scores f32 [1, k] and top_ids
//   int64 [1, k], the k best logits of the last position in descending order (ties: lower id
//   first, as ONNX TopK and the sampler's argmax both do). A run fetches the logits only when the
//   sampler needs them all.
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import type { GraphBuilder } from './graph-builder';
import { DataType } from './onnx-proto';

export const INPUTS_EMBEDS = 'inputs_embeds';
export const ATTENTION_MASK = 'attention_mask';
export const LOGITS = 'logits';
export const pastKey = (layer: number): string => `past_key_values.${layer}.key`;
export const pastValue = (layer: number): string => `past_key_values.${layer}.value`;
export const presentKey = (layer: number): string => `present.${layer}.key`;
export const presentValue = (layer: number): string => `present.${layer}.value`;
export const APPENDED_KV = 'appended_kv';
export const TOP_K = 'top_k';
export const TOP_SCORES = 'top_scores';
export const TOP_IDS = 'top_ids';

/** How a decoder graph takes and returns its KV cache (see above; the runtime's side: kv-cache.ts). */
export type CacheLayout = 'concat' | 'positions' | 'heads';

export interface DecoderInputs {
  embeds: string;
  mask: string;
  past: { key: string; value: string }[];
}

export function declareDecoderInputs(g: GraphBuilder, c: NanoVLMConfig, layout: CacheLayout): DecoderInputs {
  const kvShape = layout === 'positions' ? [1, 'past', c.lm_n_kv_heads * lmHeadDim(c)] : ['batch', c.lm_n_kv_heads, 'past', lmHeadDim(c)];
  const embeds = g.input(INPUTS_EMBEDS, DataType.FLOAT, ['batch', 'seq', c.lm_hidden_dim]);
  const mask = g.input(ATTENTION_MASK, DataType.INT64, ['batch', 'total']);
  const past = Array.from({ length: c.lm_n_blocks }, (_, i) => ({
    key: g.input(pastKey(i), DataType.FLOAT, kvShape),
    value: g.input(pastValue(i), DataType.FLOAT, kvShape),
  }));
  return { embeds, mask, past };
}

export function declareLogits(g: GraphBuilder, c: NanoVLMConfig, logits: string, allLogits: boolean): void {
  g.output(logits, LOGITS, DataType.FLOAT, ['batch', allLogits ? 'seq' : 1, c.lm_vocab_size]);
}

/** Plain graph: the whole cache per layer (present.{i}.key/.value). */
export function declarePresentOutputs(g: GraphBuilder, c: NanoVLMConfig, present: { key: string; value: string }[]): void {
  const kvShape = ['batch', c.lm_n_kv_heads, 'total', lmHeadDim(c)];
  present.forEach((p, i) => {
    g.output(p.key, presentKey(i), DataType.FLOAT, kvShape);
    g.output(p.value, presentValue(i), DataType.FLOAT, kvShape);
  });
}

/** Fused graph: every layer's appended positions ([1, seq, kv·hd] or [1, kv, seq, hd], by layout) packed into appended_kv. */
export function declareAppendedOutput(g: GraphBuilder, c: NanoVLMConfig, appended: { key: string; value: string }[], layout: CacheLayout): void {
  const packed = g.op(
    'Concat',
    appended.flatMap((a) => [a.key, a.value]),
    { axis: 0 },
  );
  const shape = layout === 'positions' ? [2 * c.lm_n_blocks, 'seq', c.lm_n_kv_heads * lmHeadDim(c)] : [2 * c.lm_n_blocks, c.lm_n_kv_heads, 'seq', lmHeadDim(c)];
  g.output(packed, APPENDED_KV, DataType.FLOAT, shape);
}

/** top_k → the k best logits of the last position and their token ids (TopK: sorted, ties to the lower id). */
export function declareTopCandidates(g: GraphBuilder, logits: string, allLogits: boolean): void {
  const k = g.input(TOP_K, DataType.INT64, [1]);
  const last = allLogits ? selectPositions(g, logits, false) : logits;
  const flat = g.op('Reshape', [last, g.ints([1, -1])]); // [1, V]
  const [scores, ids] = g.opN('TopK', [flat, k], { axis: -1, largest: 1, sorted: 1 }, { outputs: 2 });
  g.output(scores!, TOP_SCORES, DataType.FLOAT, [1, 'k']);
  g.output(ids!, TOP_IDS, DataType.INT64, [1, 'k']);
}

/** Keep only the last position (what generation needs) unless every position is wanted. */
export function selectPositions(g: GraphBuilder, hidden: string, allLogits: boolean): string {
  if (allLogits) return hidden;
  return g.op('Slice', [hidden, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]);
}
