// The fused language decoder (Llama 3 style, nanoVLM's LanguageModel) with a KV cache, built from
// ONNX Runtime contrib ops and ONNX's own attention operators:
//   RMSNorm + residual add  → SkipSimplifiedLayerNormalization (carries the residual stream)
//   q/k/v projections       → one packed qkv Linear
//   RoPE + causal grouped-query attention over the cache, in one of two forms (FusedAttention):
//     'onnx': RotaryEmbedding on q and k together, the cache and the new positions concatenated,
//             ONNX's Attention (opset 24); the cache is position-major. The CPU's form: it copies
//             each cached key and value once per token, where GroupQueryAttention's CPU kernel
//             copies the whole cache into a zeroed present buffer once per query head.
//     'gqa':  com.microsoft.GroupQueryAttention (RoPE inside); the form ONNX Runtime's GPU
//             providers implement (1.30's WebGPU provider has no Attention kernel).
//   Linear                  → MatMul (fp32) or MatMulNBits (weight-only int8/int4)
// Interface and cache layouts in decoder-io.ts. Both forms take positions from the mask's width
// (right-aligned sequences), which is exact for unpadded sequences: the runtime generates one
// sequence at a time.
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { HEAD } from '../model/parameters';
import { declareAppendedOutput, declareDecoderInputs, declareLogits, declareTopCandidates, selectPositions, type CacheLayout } from './decoder-io';
import type { ExternalDataWriter } from './external-data';
import { float, GraphBuilder, MS_DOMAIN } from './graph-builder';
import { linear, silu, stackRows, type WeightFormat } from './layers';
import type { ModelWeights } from './model-weights';
import { DataType } from './onnx-proto';
import { ropeTables } from '../model/rope';

/** The fused decoder's attention operators (see above). */
export type FusedAttention = 'onnx' | 'gqa';

/** The cache layout each form of attention takes (decoder-io.ts). */
export const CACHE_LAYOUT: Record<FusedAttention, CacheLayout> = { onnx: 'positions', gqa: 'heads' };

export interface DecoderGraphOptions {
  format: WeightFormat;
  /** logits at every position (forward parity) instead of the last one (generation) */
  allLogits: boolean;
  attention: FusedAttention;
}

/** opset 24: Attention with grouped-query heads, RotaryEmbedding */
export const DECODER_OPSETS = { '': 24, 'com.microsoft': 1 };

/** What every layer's attention reads of the run: positions, RoPE tables, the mask. */
interface AttentionContext {
  cos: string;
  sin: string;
  /** [past length], [total length] (int64 [1]): where this run's positions sit in the cache */
  appendedFrom: string;
  appendedTo: string;
  /** 'gqa': seqlens_k = total − 1 (int32 [1]) and total (int32 scalar) */
  seqlensK: string;
  totalLength: string;
  /** 'onnx': this run's positions [1, seq] (int64), and which keys each query sees [seq, total] (bool) */
  positionIds: string;
  visible: string;
}

export function buildFusedDecoderGraph(model: ModelWeights, weights: ExternalDataWriter, options: DecoderGraphOptions): GraphBuilder {
  const c = model.config;
  const g = new GraphBuilder('nanovlm_decoder', weights);
  const layout = CACHE_LAYOUT[options.attention];
  const io = declareDecoderInputs(g, c, layout);
  const context = g.scope('attention_context', () => attentionContext(g, c, io.mask, io.embeds));
  const attention = options.attention === 'onnx' ? onnxAttention : groupQueryAttention;
  const appended: { key: string; value: string }[] = [];

  // Residual stream: layer i's norm1 adds the previous sublayer's output to the residual.
  let residual = io.embeds;
  let pending: string | undefined; // output of the last sublayer, not yet added to the residual
  for (let i = 0; i < c.lm_n_blocks; i++) {
    const prefix = `decoder.blocks.${i}`;
    g.scope(prefix, () => {
      const norm1 = model.read(`${prefix}.norm1.weight`);
      let h: string;
      [h, residual] =
        pending === undefined
          ? [simplifiedNorm(g, residual, `${prefix}.norm1`, norm1, c.lm_rms_eps), residual]
          : skipNorm(g, pending, residual, `${prefix}.norm1`, norm1, c.lm_rms_eps);
      const attn = g.scope('attn', () => attention(g, h, model, prefix, io.past[i]!, context, options.format));
      appended.push(attn.appended);
      [h, residual] = skipNorm(g, attn.out, residual, `${prefix}.norm2`, model.read(`${prefix}.norm2.weight`), c.lm_rms_eps);
      pending = g.scope('mlp', () => mlp(g, h, model, prefix, options.format));
    });
  }
  const normed = g.scope('decoder.norm', () => skipNorm(g, pending!, residual, 'decoder.norm', model.read('decoder.norm.weight'), c.lm_rms_eps)[0]);
  const logits = g.scope('decoder.head', () =>
    linear(
      g,
      selectPositions(g, normed, options.allLogits),
      'decoder.head',
      { weight: () => model.read(HEAD), out: c.lm_vocab_size, in: c.lm_hidden_dim },
      options.format,
    ),
  );
  declareLogits(g, c, logits, options.allLogits);
  declareAppendedOutput(g, c, appended, layout);
  declareTopCandidates(g, logits, options.allLogits);
  return g;
}

/**
 * The cache positions this run appends, [total − seq, total) with total = the mask's width, in the
 * forms each attention takes, and the RoPE tables. (ONNX Runtime drops what a graph does not use.)
 */
function attentionContext(g: GraphBuilder, c: NanoVLMConfig, mask: string, embeds: string): AttentionContext {
  const width = g.op('Slice', [g.op('Shape', [mask]), g.ints([1]), g.ints([2])]);
  const seq = g.op('Slice', [g.op('Shape', [embeds]), g.ints([1]), g.ints([2])]);
  const appendedFrom = g.op('Sub', [width, seq]);
  const rope = ropeTables(c);
  const cos = g.initializer('rope.cos_cache', rope.cosHalf, [rope.positions, rope.half]);
  const sin = g.initializer('rope.sin_cache', rope.sinHalf, [rope.positions, rope.half]);
  // GroupQueryAttention: seqlens_k = Σmask − 1 (int32 [B]), total length (int32 scalar)
  const lengths = g.op('ReduceSum', [mask, g.ints([1])], { keepdims: 0 });
  const seqlensK = g.op('Cast', [g.op('Sub', [lengths, g.ints([1], true)])], { to: DataType.INT32 });
  const scalar = (t: string) => g.op('Squeeze', [t, g.ints([0])]);
  const totalLength = g.op('Cast', [scalar(width)], { to: DataType.INT32 });
  // Attention: query s (at position past + s) sees keys 0..past + s, the causal mask aligned to the end
  const queryPositions = g.op('Range', [scalar(appendedFrom), scalar(width), g.ints([1], true)]);
  const keyPositions = g.op('Range', [g.ints([0], true), scalar(width), g.ints([1], true)]);
  const visible = g.op('LessOrEqual', [g.op('Unsqueeze', [keyPositions, g.ints([0])]), g.op('Unsqueeze', [queryPositions, g.ints([1])])]);
  const positionIds = g.op('Unsqueeze', [queryPositions, g.ints([0])]);
  return { cos, sin, appendedFrom, appendedTo: width, seqlensK, totalLength, positionIds, visible };
}

function simplifiedNorm(g: GraphBuilder, x: string, name: string, weight: Float32Array, eps: number): string {
  const scale = g.initializer(`${name}.weight`, weight, [weight.length]);
  return g.op('SimplifiedLayerNormalization', [x, scale], { axis: -1, epsilon: float(eps), stash_type: 1 });
}

/** [RMSNorm(x + residual), x + residual] in one op. */
function skipNorm(g: GraphBuilder, x: string, residual: string, name: string, weight: Float32Array, eps: number): [string, string] {
  const gamma = g.initializer(`${name}.weight`, weight, [weight.length]);
  const [normed, , , sum] = g.opN(
    'SkipSimplifiedLayerNormalization',
    [x, residual, gamma],
    { epsilon: float(eps) },
    { domain: MS_DOMAIN, outputs: 4, skipOutputs: [1, 2] },
  );
  return [normed!, sum!];
}

type Attention = (
  g: GraphBuilder,
  x: string,
  m: ModelWeights,
  prefix: string,
  past: { key: string; value: string },
  ctx: AttentionContext,
  format: WeightFormat,
) => { out: string; appended: { key: string; value: string } };

/** Packed q/k/v projection ([q | k | v] along the last axis), nanoVLM's q/k/v weights stacked. */
function qkvProjection(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const kvDim = c.lm_n_kv_heads * lmHeadDim(c);
  const qkvWeight = () => stackRows(['q_proj', 'k_proj', 'v_proj'].map((p) => m.read(`${prefix}.attn.${p}.weight`)));
  return linear(g, x, `${prefix}.attn.qkv_proj`, { weight: qkvWeight, out: c.lm_hidden_dim + 2 * kvDim, in: c.lm_hidden_dim }, format);
}

function outProjection(g: GraphBuilder, context: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const D = m.config.lm_hidden_dim;
  return linear(g, context, `${prefix}.attn.out_proj`, { weight: () => m.read(`${prefix}.attn.out_proj.weight`), out: D, in: D }, format);
}

/** 'onnx': RoPE on q and k (one RotaryEmbedding over their heads), keys and values = cache ++ new, Attention. */
const onnxAttention: Attention = (g, x, m, prefix, past, ctx, format) => {
  const c = m.config;
  const hd = lmHeadDim(c);
  const kvDim = c.lm_n_kv_heads * hd;
  const [qk, value] = g.opN('Split', [qkvProjection(g, x, m, prefix, format), g.ints([c.lm_hidden_dim + kvDim, kvDim])], { axis: -1 }, { outputs: 2 });
  const rotated = g.op('RotaryEmbedding', [qk!, ctx.cos, ctx.sin, ctx.positionIds], { num_heads: c.lm_n_heads + c.lm_n_kv_heads, interleaved: 0 });
  const [query, key] = g.opN('Split', [rotated, g.ints([c.lm_hidden_dim, kvDim])], { axis: -1 }, { outputs: 2 });
  const keys = g.op('Concat', [past.key, key!], { axis: 1 });
  const values = g.op('Concat', [past.value, value!], { axis: 1 });
  const context = g.op('Attention', [query!, keys, values, ctx.visible], {
    q_num_heads: c.lm_n_heads,
    kv_num_heads: c.lm_n_kv_heads,
    scale: float(1 / Math.sqrt(hd)),
  });
  return { out: outProjection(g, context, m, prefix, format), appended: { key: key!, value: value! } };
};

/** 'gqa': GroupQueryAttention (RoPE, causal mask and the cache inside), the appended positions sliced out of its present. */
const groupQueryAttention: Attention = (g, x, m, prefix, past, ctx, format) => {
  const c = m.config;
  const [context, presentKey, presentValue] = g.opN(
    'GroupQueryAttention',
    [qkvProjection(g, x, m, prefix, format), '', '', past.key, past.value, ctx.seqlensK, ctx.totalLength, ctx.cos, ctx.sin],
    { num_heads: c.lm_n_heads, kv_num_heads: c.lm_n_kv_heads, do_rotary: 1, rotary_interleaved: 0, scale: float(1 / Math.sqrt(lmHeadDim(c))) },
    { domain: MS_DOMAIN, outputs: 3 },
  );
  const newPositions = (present: string) => g.op('Slice', [present, ctx.appendedFrom, ctx.appendedTo, g.ints([2])]);
  return { out: outProjection(g, context!, m, prefix, format), appended: { key: newPositions(presentKey!), value: newPositions(presentValue!) } };
};

/** down_proj(silu(gate_proj(x)) · up_proj(x)), gate and up packed into one Linear. */
function mlp(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const gateUp = () => stackRows([m.read(`${prefix}.mlp.gate_proj.weight`), m.read(`${prefix}.mlp.up_proj.weight`)]);
  const both = linear(g, x, `${prefix}.mlp.gate_up_proj`, { weight: gateUp, out: 2 * c.lm_inter_dim, in: c.lm_hidden_dim }, format);
  const [gate, up] = g.opN('Split', [both], { axis: -1, num_outputs: 2 }, { outputs: 2 });
  const hidden = g.op('Mul', [silu(g, gate!), up!]);
  return linear(
    g,
    hidden,
    `${prefix}.mlp.down_proj`,
    { weight: () => m.read(`${prefix}.mlp.down_proj.weight`), out: c.lm_hidden_dim, in: c.lm_inter_dim },
    format,
  );
}
