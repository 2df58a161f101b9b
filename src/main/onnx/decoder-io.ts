// The decoder graphs' interface, shared by the fused and the plain export and by the runtime:
//   inputs_embeds [batch, seq, D] f32, attention_mask [batch, total] int64 (1 attend, 0 padding),
//   past_key_values.{i}.key/.value [batch, kv, past, hd]
//   → logits [batch, 1 | seq, V] (last position, or every position with allLogits),
//     and the cache's new state, in one of two forms:
//     plain graph: present.{i}.key/.value [batch, kv, total, hd] (total = past + seq), fed back as
//       the next past;
//     fused graph: appended.{i}.key/.value [batch, kv, seq, hd], the positions this run added. Its
//       past inputs are preallocated buffers of any capacity (GroupQueryAttention reads only the
//       positions the mask counts), which the runtime extends in place: returning the whole cache
//       would cost the Node binding a copy of every layer's buffer per token (≈0.5 ms per MB).
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
export const appendedKey = (layer: number): string => `appended.${layer}.key`;
export const appendedValue = (layer: number): string => `appended.${layer}.value`;

export type CacheOutputs = 'present' | 'appended';

export interface DecoderInputs {
  embeds: string;
  mask: string;
  past: { key: string; value: string }[];
}

export function declareDecoderInputs(g: GraphBuilder, c: NanoVLMConfig): DecoderInputs {
  const kvShape = ['batch', c.lm_n_kv_heads, 'past', lmHeadDim(c)];
  const embeds = g.input(INPUTS_EMBEDS, DataType.FLOAT, ['batch', 'seq', c.lm_hidden_dim]);
  const mask = g.input(ATTENTION_MASK, DataType.INT64, ['batch', 'total']);
  const past = Array.from({ length: c.lm_n_blocks }, (_, i) => ({
    key: g.input(pastKey(i), DataType.FLOAT, kvShape),
    value: g.input(pastValue(i), DataType.FLOAT, kvShape),
  }));
  return { embeds, mask, past };
}

/** `cache`: the per-layer key/value tensors given are the whole cache (present) or the new positions (appended). */
export function declareDecoderOutputs(g: GraphBuilder, c: NanoVLMConfig, logits: string, cache: { key: string; value: string }[], allLogits: boolean, form: CacheOutputs): void {
  g.output(logits, LOGITS, DataType.FLOAT, ['batch', allLogits ? 'seq' : 1, c.lm_vocab_size]);
  const kvShape = ['batch', c.lm_n_kv_heads, form === 'present' ? 'total' : 'seq', lmHeadDim(c)];
  const [keyName, valueName] = form === 'present' ? [presentKey, presentValue] : [appendedKey, appendedValue];
  cache.forEach((p, i) => {
    g.output(p.key, keyName(i), DataType.FLOAT, kvShape);
    g.output(p.value, valueName(i), DataType.FLOAT, kvShape);
  });
}

/** Keep only the last position (what generation needs) unless every position is wanted. */
export function selectPositions(g: GraphBuilder, hidden: string, allLogits: boolean): string {
  if (allLogits) return hidden;
  return g.op('Slice', [hidden, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]);
}
