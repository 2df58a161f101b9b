// The decoder graphs' interface, shared by the fused and the plain export and by the runtime:
//   inputs_embeds [batch, seq, D] f32, attention_mask [batch, total] int64 (1 attend, 0 padding),
//   past_key_values.{i}.key/.value [batch, kv, past, hd]
//   → logits [batch, 1 | seq, V] (last position, or every position with allLogits),
//     present.{i}.key/.value [batch, kv, total, hd] (total = past + seq)
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

export function declareDecoderOutputs(g: GraphBuilder, c: NanoVLMConfig, logits: string, present: { key: string; value: string }[], allLogits: boolean): void {
  g.output(logits, LOGITS, DataType.FLOAT, ['batch', allLogits ? 'seq' : 1, c.lm_vocab_size]);
  const kvShape = ['batch', c.lm_n_kv_heads, 'total', lmHeadDim(c)];
  present.forEach((p, i) => {
    g.output(p.key, presentKey(i), DataType.FLOAT, kvShape);
    g.output(p.value, presentValue(i), DataType.FLOAT, kvShape);
  });
}

/** Keep only the last position (what generation needs) unless every position is wanted. */
export function selectPositions(g: GraphBuilder, hidden: string, allLogits: boolean): string {
  if (allLogits) return hidden;
  return g.op('Slice', [hidden, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]);
}
