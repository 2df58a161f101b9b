// nanoVLM's ViT (SigLIP) as training-graph ops: patch embedding, pre-norm blocks of bidirectional
// attention and a GELU MLP, a final LayerNorm on every position (no CLS token).
import { vitPatchesPerSide, type NanoVLMConfig } from '../../../model/config';
import type { Tensor, TensorGraph } from '../../../onnx/tensor-graph';
import { linear, mergeHeads, splitHeads } from './layers';
import type { Params } from './parameters';

/**
 * ViTPatchEmbeddings: a stride-p p×p convolution is a matmul over non-overlapping patches. Patches
 * come out row-major, each flattened (channel, row, column) like the conv weight [D, 3, p, p].
 */
function patchEmbedding(tg: TensorGraph, pixels: Tensor, w: Params, c: NanoVLMConfig): Tensor {
  const p = c.vit_patch_size;
  const side = vitPatchesPerSide(c);
  const patches = tg.reshape(tg.transpose(tg.reshape(pixels, [-1, 3, side, p, side, p]), [0, 2, 4, 1, 3, 5]), [-1, side * side, 3 * p * p]);
  const kernel = tg.reshape(w.get('conv.weight'), [c.vit_hidden_dim, 3 * p * p]);
  return tg.add(linear(tg, patches, kernel, w.get('conv.bias')), w.get('position_embedding'));
}

/** ViTMultiHeadAttention: q, k, v from one projection (in that order), not causal. */
function attention(tg: TensorGraph, x: Tensor, w: Params, c: NanoVLMConfig): Tensor {
  const D = c.vit_hidden_dim;
  const qkv = linear(tg, x, w.get('qkv_proj.weight'), w.get('qkv_proj.bias'));
  const [q, k, v] = tg.split(qkv, [D, D, D], -1).map((t) => splitHeads(tg, t, c.vit_n_heads)) as [Tensor, Tensor, Tensor];
  const scores = tg.scale(tg.matmul(q, tg.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(D / c.vit_n_heads));
  const y = tg.matmul(tg.softmax(scores), v);
  return linear(tg, mergeHeads(tg, y), w.get('out_proj.weight'), w.get('out_proj.bias'));
}

/** ViTMLP: fc1 → GELU(tanh) → fc2. */
function mlp(tg: TensorGraph, x: Tensor, w: Params): Tensor {
  return linear(tg, tg.gelu(linear(tg, x, w.get('fc1.weight'), w.get('fc1.bias'))), w.get('fc2.weight'), w.get('fc2.bias'));
}

/** ViTBlock: x + attn(ln1(x)), then x + mlp(ln2(x)). */
function block(tg: TensorGraph, x: Tensor, w: Params, c: NanoVLMConfig): Tensor {
  const eps = c.vit_ln_eps;
  const h = tg.add(
    x,
    tg.scope('attn', () => attention(tg, tg.layerNorm(x, w.get('ln1.weight'), w.get('ln1.bias'), eps), w.scope('attn'), c)),
  );
  return tg.add(
    h,
    tg.scope('mlp', () => mlp(tg, tg.layerNorm(h, w.get('ln2.weight'), w.get('ln2.bias'), eps), w.scope('mlp'))),
  );
}

/** ViT.forward: pixels [tiles, 3, S, S] in [0, 1] → [tiles, N, D]. */
export function visionTransformer(tg: TensorGraph, pixels: Tensor, w: Params, c: NanoVLMConfig): Tensor {
  let x = tg.scope('patch_embedding', () => patchEmbedding(tg, pixels, w.scope('patch_embedding'), c));
  for (let i = 0; i < c.vit_n_blocks; i++) x = tg.scope(`blocks.${i}`, () => block(tg, x, w.scope(`blocks.${i}`), c));
  return tg.layerNorm(x, w.get('layer_norm.weight'), w.get('layer_norm.bias'), c.vit_ln_eps);
}
