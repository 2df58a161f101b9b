// nanoVLM's LanguageModel (Llama 3 style) as training-graph ops, on input embeddings: pre-norm
// blocks of grouped-query attention with RoPE and a SwiGLU MLP, a final RMSNorm. The head (tied
// to the token embedding) is applied by the caller, as in nanoVLM.
import { lmHeadDim, type NanoVLMConfig } from '../../../model/config';
import type { Tensor, TensorGraph } from '../../../onnx/tensor-graph';
import { linear, mergeHeads, rmsNorm, silu, splitHeads } from './layers';
import type { Params } from './parameters';

/** What every layer's attention shares: RoPE tables [T, hd] and the additive mask [B, 1, T, T]. */
export interface AttentionInputs {
  cos: Tensor;
  sin: Tensor;
  bias: Tensor;
}

/** q·cos + rotate_half(q)·sin, rotate_half(x) = concat(−x[hd/2:], x[:hd/2]). */
function applyRotary(tg: TensorGraph, x: Tensor, a: AttentionInputs): Tensor {
  const hd = x.shape[3] as number;
  const [first, second] = tg.split(x, [hd / 2, hd / 2], -1) as [Tensor, Tensor];
  return tg.add(tg.mul(x, a.cos), tg.mul(tg.concat([tg.neg(second), first], -1), a.sin));
}

/**
 * LanguageModelGroupedQueryAttention. Query head h reads key/value head ⌊h / groups⌋: the queries
 * of one kv head's group are stacked along the time axis ([B, kv, groups·T, hd], the same memory
 * as [B, heads, T, hd]), so each kv head is one matmul and k, v are never repeated.
 */
function attention(tg: TensorGraph, x: Tensor, w: Params, c: NanoVLMConfig, a: AttentionInputs): Tensor {
  const heads = c.lm_n_heads;
  const kvHeads = c.lm_n_kv_heads;
  const hd = lmHeadDim(c);
  const b = x.shape[0] as number;
  const q = applyRotary(tg, splitHeads(tg, linear(tg, x, w.get('q_proj.weight')), heads), a);
  const k = applyRotary(tg, splitHeads(tg, linear(tg, x, w.get('k_proj.weight')), kvHeads), a);
  const v = splitHeads(tg, linear(tg, x, w.get('v_proj.weight')), kvHeads);
  const grouped = tg.matmul(tg.reshape(q, [b, kvHeads, -1, hd]), tg.transpose(k, [0, 1, 3, 2]));
  const scores = tg.add(tg.scale(tg.reshape(grouped, [b, heads, -1, 0]), 1 / Math.sqrt(hd)), a.bias);
  const probs = tg.reshape(tg.softmax(scores), [b, kvHeads, -1, 0]);
  const y = tg.reshape(tg.matmul(probs, v), [b, heads, -1, hd]);
  return linear(tg, mergeHeads(tg, y), w.get('out_proj.weight'));
}

/** LanguageModelMLP: down_proj(silu(gate_proj(x)) · up_proj(x)). */
function mlp(tg: TensorGraph, x: Tensor, w: Params): Tensor {
  const gate = silu(tg, linear(tg, x, w.get('gate_proj.weight')));
  return linear(tg, tg.mul(gate, linear(tg, x, w.get('up_proj.weight'))), w.get('down_proj.weight'));
}

/** LanguageModelBlock: x + attn(norm1(x)), then x + mlp(norm2(x)). */
function block(tg: TensorGraph, x: Tensor, w: Params, c: NanoVLMConfig, a: AttentionInputs): Tensor {
  const h = tg.add(
    x,
    tg.scope('attn', () => attention(tg, rmsNorm(tg, x, w.get('norm1.weight'), c.lm_rms_eps), w.scope('attn'), c, a)),
  );
  return tg.add(
    h,
    tg.scope('mlp', () => mlp(tg, rmsNorm(tg, h, w.get('norm2.weight'), c.lm_rms_eps), w.scope('mlp'))),
  );
}

/** LanguageModel.forward (lm_use_tokens false): embeddings [B, T, D] → normed hidden states. */
export function languageModel(tg: TensorGraph, embeddings: Tensor, w: Params, c: NanoVLMConfig, a: AttentionInputs): Tensor {
  let x = embeddings;
  for (let i = 0; i < c.lm_n_blocks; i++) x = tg.scope(`blocks.${i}`, () => block(tg, x, w.scope(`blocks.${i}`), c, a));
  return rmsNorm(tg, x, w.get('norm.weight'), c.lm_rms_eps);
}
