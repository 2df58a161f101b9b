// nanoVLM's ViT (SigLIP): patch embedding, pre-norm blocks of bidirectional attention and a
// GELU MLP, a final LayerNorm on every position (no CLS token).
import * as tf from '@tensorflow/tfjs';
import type { NanoVLMConfig } from '../../../model/config';
import { geluTanh, layerNorm, linear, mergeHeads, splitHeads } from './layers';
import type { Weights } from './weights';

/**
 * ViTPatchEmbeddings: a stride-p p×p convolution is a matmul over non-overlapping patches, written
 * as one here (the wasm backend has no convolution-filter gradient). Patches come out row-major,
 * each flattened (channel, row, column) like the conv weight [D, 3, p, p].
 */
function patchEmbedding(pixels: tf.Tensor, w: Weights, c: NanoVLMConfig): tf.Tensor {
  const [images, channels, height, width] = pixels.shape as [number, number, number, number];
  const p = c.vit_patch_size;
  const rows = height / p;
  const cols = width / p;
  const patches = pixels
    .reshape([images, channels, rows, p, cols, p])
    .transpose([0, 2, 4, 1, 3, 5])
    .reshape([images, rows * cols, channels * p * p]);
  const kernel = w.get('conv.weight').reshape([c.vit_hidden_dim, channels * p * p]);
  return linear(patches, kernel, w.get('conv.bias')).add(w.get('position_embedding'));
}

/** ViTMultiHeadAttention: q, k, v from one projection (in that order), not causal. */
function attention(x: tf.Tensor, w: Weights, c: NanoVLMConfig): tf.Tensor {
  const qkv = linear(x, w.get('qkv_proj.weight'), w.get('qkv_proj.bias'));
  const [q, k, v] = tf.split(qkv, 3, -1).map((t) => splitHeads(t, c.vit_n_heads)) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const headDim = c.vit_hidden_dim / c.vit_n_heads;
  const scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(headDim));
  const y = tf.matMul(tf.softmax(scores), v);
  return linear(mergeHeads(y), w.get('out_proj.weight'), w.get('out_proj.bias'));
}

/** ViTMLP: fc1 → GELU(tanh) → fc2. */
function mlp(x: tf.Tensor, w: Weights): tf.Tensor {
  return linear(geluTanh(linear(x, w.get('fc1.weight'), w.get('fc1.bias'))), w.get('fc2.weight'), w.get('fc2.bias'));
}

/** ViTBlock: x + attn(ln1(x)), then x + mlp(ln2(x)). */
function block(x: tf.Tensor, w: Weights, c: NanoVLMConfig): tf.Tensor {
  const eps = c.vit_ln_eps;
  const h = x.add(attention(layerNorm(x, w.get('ln1.weight'), w.get('ln1.bias'), eps), w.scope('attn'), c));
  return h.add(mlp(layerNorm(h, w.get('ln2.weight'), w.get('ln2.bias'), eps), w.scope('mlp')));
}

/** ViT.forward: pixels [images, 3, S, S] in [0, 1] → [images, N, D]. */
export function visionTransformer(pixels: tf.Tensor, w: Weights, c: NanoVLMConfig): tf.Tensor {
  let x = patchEmbedding(pixels, w.scope('patch_embedding'), c);
  for (let i = 0; i < c.vit_n_blocks; i++) x = block(x, w.scope(`blocks.${i}`), c);
  return layerNorm(x, w.get('layer_norm.weight'), w.get('layer_norm.bias'), c.vit_ln_eps);
}
