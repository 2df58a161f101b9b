// nanoVLM's LanguageModel (Llama 3 style) on input embeddings: pre-norm blocks of grouped-query
// attention with RoPE and a SwiGLU MLP, a final RMSNorm. The head (tied to the token embedding)
// is applied by the caller, as in nanoVLM.
import * as tf from '@tensorflow/tfjs';
import { lmHeadDim, type NanoVLMConfig } from '../../../model/config';
import { causalPaddingBias } from '../../../model/attention-mask';
import { linear, mergeHeads, rmsNorm, silu, splitHeads } from './layers';
import { applyRotary, rotaryTables, type RotaryTables } from './rotary-embedding';
import type { Weights } from './weights';

/**
 * LanguageModelGroupedQueryAttention. Query head h reads key/value head ⌊h / groups⌋; instead of
 * repeating k and v, the queries of one kv head's group are stacked along the time axis
 * ([B, kv, groups·T, hd]), which is the same [B, heads, T, hd] memory, so one matmul per kv head.
 */
function attention(x: tf.Tensor, w: Weights, c: NanoVLMConfig, rope: RotaryTables, mask: tf.Tensor): tf.Tensor {
  const [b, t] = x.shape as [number, number, number];
  const heads = c.lm_n_heads;
  const kvHeads = c.lm_n_kv_heads;
  const hd = lmHeadDim(c);
  const q = applyRotary(splitHeads(linear(x, w.get('q_proj.weight')), heads), rope);
  const k = applyRotary(splitHeads(linear(x, w.get('k_proj.weight')), kvHeads), rope);
  const v = splitHeads(linear(x, w.get('v_proj.weight')), kvHeads);
  const groupedQ = q.reshape([b, kvHeads, (heads / kvHeads) * t, hd]);
  const scores = tf
    .matMul(groupedQ, k, false, true)
    .reshape([b, heads, t, t])
    .mul(1 / Math.sqrt(hd))
    .add(mask);
  const probs = tf.softmax(scores).reshape([b, kvHeads, (heads / kvHeads) * t, t]);
  const y = tf.matMul(probs, v).reshape([b, heads, t, hd]);
  return linear(mergeHeads(y), w.get('out_proj.weight'));
}

/** LanguageModelMLP: down_proj(silu(gate_proj(x)) · up_proj(x)). */
function mlp(x: tf.Tensor, w: Weights): tf.Tensor {
  const gate = silu(linear(x, w.get('gate_proj.weight')));
  return linear(gate.mul(linear(x, w.get('up_proj.weight'))), w.get('down_proj.weight'));
}

/** LanguageModelBlock: x + attn(norm1(x)), then x + mlp(norm2(x)). */
function block(x: tf.Tensor, w: Weights, c: NanoVLMConfig, rope: RotaryTables, mask: tf.Tensor): tf.Tensor {
  const h = x.add(attention(rmsNorm(x, w.get('norm1.weight'), c.lm_rms_eps), w.scope('attn'), c, rope, mask));
  return h.add(mlp(rmsNorm(h, w.get('norm2.weight'), c.lm_rms_eps), w.scope('mlp')));
}

/**
 * LanguageModel.forward (lm_use_tokens false): embeddings [B, T, D] → normed hidden states.
 * attentionMask is [B·T] row-major, 1 = attend, 0 = padding; omitted = no padding.
 */
export function languageModel(embeddings: tf.Tensor, w: Weights, c: NanoVLMConfig, attentionMask?: ArrayLike<number>): tf.Tensor {
  const [b, t] = embeddings.shape as [number, number, number];
  const rope = rotaryTables(t, c);
  const mask = tf.tensor4d(causalPaddingBias(b, t, attentionMask), [b, 1, t, t]);
  let x = embeddings;
  for (let i = 0; i < c.lm_n_blocks; i++) x = block(x, w.scope(`blocks.${i}`), c, rope, mask);
  return rmsNorm(x, w.get('norm.weight'), c.lm_rms_eps);
}

/** The LM head: hidden [B, T, D] → logits [B, T, V]. */
export function lmHead(hidden: tf.Tensor, w: Weights): tf.Tensor {
  return linear(hidden, w.get('head.weight'));
}
