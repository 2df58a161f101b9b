// The fused language decoder (Llama 3 style, nanoVLM's LanguageModel) with a KV cache, built from
// ONNX Runtime contrib ops:
//   RMSNorm + residual add  → SkipSimplifiedLayerNormalization (carries the residual stream)
//   q/k/v + RoPE + causal GQA + cache → one packed qkv Linear + com.microsoft.GroupQueryAttention
//   Linear                  → MatMul (fp32) or MatMulNBits (weight-only int8/int4)
// Interface in decoder-io.ts. GroupQueryAttention takes positions from seqlens_k (right-aligned
// sequences), which is exact for unpadded sequences: the runtime generates one sequence at a time.
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { HEAD } from '../model/parameters';
import { declareAppendedOutput, declareDecoderInputs, declareLogits, declareTopCandidates, selectPositions } from './decoder-io';
import type { ExternalDataWriter } from './external-data';
import { float, GraphBuilder, MS_DOMAIN } from './graph-builder';
import { linear, silu, stackRows, type WeightFormat } from './layers';
import type { ModelWeights } from './model-weights';
import { DataType } from './onnx-proto';
import { ropeTables } from '../model/rope';

export interface DecoderGraphOptions {
  format: WeightFormat;
  /** logits at every position (forward parity) instead of the last one (generation) */
  allLogits: boolean;
}

export const DECODER_OPSETS = { '': 21, 'com.microsoft': 1 };

interface AttentionContext {
  seqlensK: string;
  totalLength: string;
  /** [past length, total length] as int64 [1] tensors: where this run's positions sit in the cache */
  appendedFrom: string;
  appendedTo: string;
  cos: string;
  sin: string;
}

export function buildFusedDecoderGraph(model: ModelWeights, weights: ExternalDataWriter, options: DecoderGraphOptions): GraphBuilder {
  const c = model.config;
  const g = new GraphBuilder('nanovlm_decoder', weights);
  const io = declareDecoderInputs(g, c);
  const context = g.scope('attention_context', () => attentionContext(g, c, io.mask, io.embeds));
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
      { weight: model.read(HEAD), out: c.lm_vocab_size, in: c.lm_hidden_dim },
      options.format,
    ),
  );
  declareLogits(g, c, logits, options.allLogits);
  declareAppendedOutput(g, c, appended);
  declareTopCandidates(g, logits, options.allLogits);
  return g;
}

/**
 * seqlens_k = Σmask − 1 (int32 [B]), total length = mask width (int32 scalar), RoPE tables, and
 * the cache positions this run appends: [total − seq, total).
 */
function attentionContext(g: GraphBuilder, c: NanoVLMConfig, mask: string, embeds: string): AttentionContext {
  const lengths = g.op('ReduceSum', [mask, g.ints([1])], { keepdims: 0 });
  const seqlensK = g.op('Cast', [g.op('Sub', [lengths, g.ints([1], true)])], { to: DataType.INT32 });
  const width = g.op('Slice', [g.op('Shape', [mask]), g.ints([1]), g.ints([2])]);
  const totalLength = g.op('Cast', [g.op('Squeeze', [width, g.ints([0])])], { to: DataType.INT32 });
  const seq = g.op('Slice', [g.op('Shape', [embeds]), g.ints([1]), g.ints([2])]);
  const rope = ropeTables(c);
  const cos = g.initializer('rope.cos_cache', rope.cosHalf, [rope.positions, rope.half]);
  const sin = g.initializer('rope.sin_cache', rope.sinHalf, [rope.positions, rope.half]);
  return { seqlensK, totalLength, appendedFrom: g.op('Sub', [width, seq]), appendedTo: width, cos, sin };
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

/** Packed q/k/v projection, RoPE + causal grouped-query attention over the cache, out_proj. */
function attention(
  g: GraphBuilder,
  x: string,
  m: ModelWeights,
  prefix: string,
  past: { key: string; value: string },
  ctx: AttentionContext,
  format: WeightFormat,
) {
  const c = m.config;
  const hd = lmHeadDim(c);
  const kvDim = c.lm_n_kv_heads * hd;
  const qkvWeight = stackRows(['q_proj', 'k_proj', 'v_proj'].map((p) => m.read(`${prefix}.attn.${p}.weight`)));
  const qkv = linear(g, x, `${prefix}.attn.qkv_proj`, { weight: qkvWeight, out: c.lm_hidden_dim + 2 * kvDim, in: c.lm_hidden_dim }, format);
  const [context, presentKey, presentValue] = g.opN(
    'GroupQueryAttention',
    [qkv, '', '', past.key, past.value, ctx.seqlensK, ctx.totalLength, ctx.cos, ctx.sin],
    { num_heads: c.lm_n_heads, kv_num_heads: c.lm_n_kv_heads, do_rotary: 1, rotary_interleaved: 0, scale: float(1 / Math.sqrt(hd)) },
    { domain: MS_DOMAIN, outputs: 3 },
  );
  const out = linear(
    g,
    context!,
    `${prefix}.attn.out_proj`,
    { weight: m.read(`${prefix}.attn.out_proj.weight`), out: c.lm_hidden_dim, in: c.lm_hidden_dim },
    format,
  );
  const newPositions = (present: string) => g.op('Slice', [present, ctx.appendedFrom, ctx.appendedTo, g.ints([2])]);
  return { out, appended: { key: newPositions(presentKey!), value: newPositions(presentValue!) } };
}

/** down_proj(silu(gate_proj(x)) · up_proj(x)), gate and up packed into one Linear. */
function mlp(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const gateUp = stackRows([m.read(`${prefix}.mlp.gate_proj.weight`), m.read(`${prefix}.mlp.up_proj.weight`)]);
  const both = linear(g, x, `${prefix}.mlp.gate_up_proj`, { weight: gateUp, out: 2 * c.lm_inter_dim, in: c.lm_hidden_dim }, format);
  const [gate, up] = g.opN('Split', [both], { axis: -1, num_outputs: 2 }, { outputs: 2 });
  const hidden = g.op('Mul', [silu(g, gate!), up!]);
  return linear(g, hidden, `${prefix}.mlp.down_proj`, { weight: m.read(`${prefix}.mlp.down_proj.weight`), out: c.lm_hidden_dim, in: c.lm_inter_dim }, format);
}
