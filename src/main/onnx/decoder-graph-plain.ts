// The language decoder with standard ONNX ops only: the benchmark baseline and an independent
// cross-check of the fused graph. Same interface (decoder-io.ts). Unlike GroupQueryAttention it
// follows nanoVLM exactly with left padding too: positions count from the first slot, and padded
// keys get a large finite negative score.
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { HEAD } from '../model/parameters';
import { declareDecoderInputs, declareLogits, declarePresentOutputs, selectPositions } from './decoder-io';
import type { ExternalDataWriter } from './external-data';
import { GraphBuilder } from './graph-builder';
import { linear, rmsNormPlain, silu, type WeightFormat } from './layers';
import type { ModelWeights } from './model-weights';
import { DataType } from './onnx-proto';
import { MASKED_SCORE } from '../model/attention-mask';
import { fullWidth, ropeTables } from '../model/rope';

interface AttentionContext {
  cos: string; // [S, hd]
  sin: string;
  bias: string; // [B, 1, S, T]: 0 where attended, MASKED_SCORE elsewhere
}

/** `format`: fp32 for the baseline; a quantised one when this graph stands in for the fused one (MatMulNBits is a contrib op). */
export function buildPlainDecoderGraph(model: ModelWeights, weights: ExternalDataWriter, options: { allLogits: boolean; format?: WeightFormat }): GraphBuilder {
  const c = model.config;
  const format = options.format ?? 'fp32';
  const g = new GraphBuilder('nanovlm_decoder_plain', weights);
  const io = declareDecoderInputs(g, c, 'concat');
  const ctx = g.scope('attention_context', () => attentionContext(g, c, io.mask, io.past[0]!.key));
  const present: { key: string; value: string }[] = [];
  let x = io.embeds;
  for (let i = 0; i < c.lm_n_blocks; i++) {
    const prefix = `decoder.blocks.${i}`;
    g.scope(prefix, () => {
      const attn = g.scope('attn', () =>
        attention(g, rmsNormPlain(g, x, `${prefix}.norm1`, model.read(`${prefix}.norm1.weight`), c.lm_rms_eps), model, prefix, io.past[i]!, ctx, format),
      );
      present.push(attn.present);
      x = g.op('Add', [x, attn.out]);
      x = g.op('Add', [
        x,
        g.scope('mlp', () => mlp(g, rmsNormPlain(g, x, `${prefix}.norm2`, model.read(`${prefix}.norm2.weight`), c.lm_rms_eps), model, prefix, format)),
      ]);
    });
  }
  const normed = rmsNormPlain(g, selectPositions(g, x, options.allLogits), 'decoder.norm', model.read('decoder.norm.weight'), c.lm_rms_eps);
  const logits = linear(g, normed, 'decoder.head', { weight: model.read(HEAD), out: c.lm_vocab_size, in: c.lm_hidden_dim }, format);
  declareLogits(g, c, logits, options.allLogits);
  declarePresentOutputs(g, c, present);
  return g;
}

/** Positions past..total−1, their cos/sin rows, and the causal + padding bias. */
function attentionContext(g: GraphBuilder, c: NanoVLMConfig, mask: string, firstPastKey: string): AttentionContext {
  const pastLength = g.op('Gather', [g.op('Shape', [firstPastKey]), g.ints([2], true)], { axis: 0 });
  const total = g.op('Gather', [g.op('Shape', [mask]), g.ints([1], true)], { axis: 0 });
  const positions = g.op('Range', [pastLength, total, g.ints([1], true)]);
  const rope = ropeTables(c);
  const cosTable = g.initializer('rope.cos', fullWidth(rope.cosHalf, rope.positions, rope.half), [rope.positions, rope.half * 2]);
  const sinTable = g.initializer('rope.sin', fullWidth(rope.sinHalf, rope.positions, rope.half), [rope.positions, rope.half * 2]);
  const cos = g.op('Gather', [cosTable, positions], { axis: 0 });
  const sin = g.op('Gather', [sinTable, positions], { axis: 0 });

  const keyPositions = g.op('Range', [g.ints([0], true), total, g.ints([1], true)]);
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [keyPositions, g.ints([0])]), g.op('Unsqueeze', [positions, g.ints([1])])]); // [S, T]
  const notPadding = g.op('Cast', [g.op('Unsqueeze', [mask, g.ints([1, 2])])], { to: DataType.BOOL }); // [B, 1, 1, T]
  const bias = g.op('Where', [g.op('And', [causal, notPadding]), g.scalar(0), g.scalar(MASKED_SCORE)]);
  return { cos, sin, bias };
}

/** q·cos + rotate_half(q)·sin, rotate_half(x) = concat(−x[hd/2:], x[:hd/2]). */
function applyRope(g: GraphBuilder, x: string, ctx: AttentionContext): string {
  const [first, second] = g.opN('Split', [x], { axis: -1, num_outputs: 2 }, { outputs: 2 });
  const rotated = g.op('Concat', [g.op('Neg', [second!]), first!], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, ctx.cos]), g.op('Mul', [rotated, ctx.sin])]);
}

/** [B, S, heads·hd] → [B, heads, S, hd] */
function splitHeads(g: GraphBuilder, x: string, heads: number, hd: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.ints([0, 0, heads, hd])])], { perm: [0, 2, 1, 3] });
}

/** Key/value head h/(H/kv) serves query head h: repeat each kv head H/kv times. */
function repeatKv(g: GraphBuilder, x: string, c: NanoVLMConfig): string {
  const groups = c.lm_n_heads / c.lm_n_kv_heads;
  if (groups === 1) return x;
  const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.ints([2])]), g.ints([1, 1, groups, 1, 1])]);
  return g.op('Reshape', [expanded, g.ints([0, c.lm_n_heads, -1, lmHeadDim(c)])]);
}

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
  const D = c.lm_hidden_dim;
  const hd = lmHeadDim(c);
  const kvDim = c.lm_n_kv_heads * hd;
  const project = (name: string, out: number) =>
    linear(g, x, `${prefix}.attn.${name}`, { weight: m.read(`${prefix}.attn.${name}.weight`), out, in: D }, format);
  const q = applyRope(g, splitHeads(g, project('q_proj', D), c.lm_n_heads, hd), ctx);
  const k = applyRope(g, splitHeads(g, project('k_proj', kvDim), c.lm_n_kv_heads, hd), ctx);
  const v = splitHeads(g, project('v_proj', kvDim), c.lm_n_kv_heads, hd);
  const presentKey = g.op('Concat', [past.key, k], { axis: 2 });
  const presentValue = g.op('Concat', [past.value, v], { axis: 2 });
  const keysT = g.op('Transpose', [repeatKv(g, presentKey, c)], { perm: [0, 1, 3, 2] });
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, keysT]), g.scalar(1 / Math.sqrt(hd))]), ctx.bias]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), repeatKv(g, presentValue, c)]);
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints([0, 0, D])]);
  const out = linear(g, merged, `${prefix}.attn.out_proj`, { weight: m.read(`${prefix}.attn.out_proj.weight`), out: D, in: D }, format);
  return { out, present: { key: presentKey, value: presentValue } };
}

function mlp(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const project = (name: string, out: number, input: string, inDim: number) =>
    linear(g, input, `${prefix}.mlp.${name}`, { weight: m.read(`${prefix}.mlp.${name}.weight`), out, in: inDim }, format);
  const gate = project('gate_proj', c.lm_inter_dim, x, c.lm_hidden_dim);
  const up = project('up_proj', c.lm_inter_dim, x, c.lm_hidden_dim);
  return project('down_proj', c.lm_hidden_dim, g.op('Mul', [silu(g, gate), up]), c.lm_inter_dim);
}
