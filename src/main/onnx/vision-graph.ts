// The vision graph: SigLIP ViT encoder + the pixel-shuffle modality projector.
//   pixel_values [T, 3, P, P] → vision_out [T, N, D_vit] (after the final LayerNorm)
//                             → image_embeddings [T, L, D_lm] (after the projector)
// nanoVLM's ViT and ModalityProjector, module by module. Standard ONNX ops (opset 21), except that
// the fused variant runs attention as com.microsoft.MultiHeadAttention.
import { vitPatchesPerSide, type NanoVLMConfig } from '../model/config';
import { float, GraphBuilder, MS_DOMAIN } from './graph-builder';
import { layerNorm, linear, type WeightFormat } from './layers';
import type { ModelWeights } from './model-weights';
import { DataType } from './onnx-proto';
import type { ExternalDataWriter } from './external-data';

export const VISION_INPUT = 'pixel_values';
export const VISION_OUTPUT = 'vision_out';
export const IMAGE_EMBEDDINGS = 'image_embeddings';

export interface VisionGraphOptions {
  format: WeightFormat;
  /** attention as one com.microsoft.MultiHeadAttention op instead of MatMul/Softmax/MatMul */
  fusedAttention: boolean;
}

export function buildVisionGraph(
  model: ModelWeights,
  weights: ExternalDataWriter,
  options: VisionGraphOptions = { format: 'fp32', fusedAttention: false },
): GraphBuilder {
  const { format } = options;
  const c = model.config;
  const g = new GraphBuilder('nanovlm_vision', weights);
  const pixels = g.input(VISION_INPUT, DataType.FLOAT, ['tiles', 3, c.vit_img_size, c.vit_img_size]);
  let x = g.scope('vision_encoder.patch_embedding', () => patchEmbedding(g, model));
  for (let i = 0; i < c.vit_n_blocks; i++) {
    x = g.scope(`vision_encoder.blocks.${i}`, () => encoderBlock(g, x, model, `vision_encoder.blocks.${i}`, options));
  }
  const visionOut = g.scope('vision_encoder.layer_norm', () =>
    layerNorm(g, x, 'vision_encoder.layer_norm', model.read('vision_encoder.layer_norm.weight'), model.read('vision_encoder.layer_norm.bias'), c.vit_ln_eps),
  );
  const embeddings = g.scope('MP', () => modalityProjector(g, visionOut, model, format));
  const N = vitPatchesPerSide(c) ** 2;
  g.output(visionOut, VISION_OUTPUT, DataType.FLOAT, ['tiles', N, c.vit_hidden_dim]);
  g.output(embeddings, IMAGE_EMBEDDINGS, DataType.FLOAT, ['tiles', c.mp_image_token_length, c.lm_hidden_dim]);
  return g;

  function patchEmbedding(g: GraphBuilder, m: ModelWeights): string {
    const p = c.vit_patch_size;
    const D = c.vit_hidden_dim;
    const conv = g.op(
      'Conv',
      [
        pixels,
        g.initializer('vision_encoder.patch_embedding.conv.weight', m.read('vision_encoder.patch_embedding.conv.weight'), [D, 3, p, p]),
        g.initializer('vision_encoder.patch_embedding.conv.bias', m.read('vision_encoder.patch_embedding.conv.bias'), [D]),
      ],
      { kernel_shape: [p, p], strides: [p, p] },
    );
    // [T, D, h, w] → [T, N, D], patches in row-major order
    const patches = g.op('Transpose', [g.op('Reshape', [conv, g.ints([0, D, -1])])], { perm: [0, 2, 1] });
    const N = vitPatchesPerSide(c) ** 2;
    const position = g.initializer('vision_encoder.patch_embedding.position_embedding', m.read('vision_encoder.patch_embedding.position_embedding'), [1, N, D]);
    return g.op('Add', [patches, position]);
  }
}

/** x = x + attn(ln1(x)); x = x + mlp(ln2(x)) */
function encoderBlock(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, { format, fusedAttention }: VisionGraphOptions): string {
  const c = m.config;
  const ln1 = layerNorm(g, x, `${prefix}.ln1`, m.read(`${prefix}.ln1.weight`), m.read(`${prefix}.ln1.bias`), c.vit_ln_eps);
  const attention = fusedAttention ? fusedSelfAttention : selfAttention;
  const h = g.op('Add', [x, g.scope('attn', () => attention(g, ln1, m, `${prefix}.attn`, format))]);
  const ln2 = layerNorm(g, h, `${prefix}.ln2`, m.read(`${prefix}.ln2.weight`), m.read(`${prefix}.ln2.bias`), c.vit_ln_eps);
  return g.op('Add', [h, g.scope('mlp', () => mlp(g, ln2, m, `${prefix}.mlp`, format))]);
}

/** Bidirectional multi-head attention with one packed qkv projection. */
function selfAttention(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const D = c.vit_hidden_dim;
  const H = c.vit_n_heads;
  const hd = D / H;
  const qkv = linear(
    g,
    x,
    `${prefix}.qkv_proj`,
    { weight: m.read(`${prefix}.qkv_proj.weight`), bias: m.read(`${prefix}.qkv_proj.bias`), out: 3 * D, in: D },
    format,
  );
  // [T, N, 3D] → [3, T, H, N, hd]
  const heads = g.op('Transpose', [g.op('Reshape', [qkv, g.ints([0, 0, 3, H, hd])])], { perm: [2, 0, 3, 1, 4] });
  const [q, k, v] = [0, 1, 2].map((i) => g.op('Gather', [heads, g.ints([i], true)], { axis: 0 }));
  const scores = g.op('MatMul', [g.op('Mul', [q!, g.scalar(1 / Math.sqrt(hd))]), g.op('Transpose', [k!], { perm: [0, 1, 3, 2] })]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v!]);
  // [T, H, N, hd] → [T, N, D]
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints([0, 0, D])]);
  return linear(
    g,
    merged,
    `${prefix}.out_proj`,
    { weight: m.read(`${prefix}.out_proj.weight`), bias: m.read(`${prefix}.out_proj.bias`), out: D, in: D },
    format,
  );
}

/** The same attention with ONNX Runtime's fused MultiHeadAttention (q, k, v as [T, N, D]). */
function fusedSelfAttention(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const D = c.vit_hidden_dim;
  const qkv = linear(
    g,
    x,
    `${prefix}.qkv_proj`,
    { weight: m.read(`${prefix}.qkv_proj.weight`), bias: m.read(`${prefix}.qkv_proj.bias`), out: 3 * D, in: D },
    format,
  );
  const [q, k, v] = g.opN('Split', [qkv], { axis: -1, num_outputs: 3 }, { outputs: 3 });
  const context = g.op('MultiHeadAttention', [q!, k!, v!], { num_heads: c.vit_n_heads, scale: float(1 / Math.sqrt(D / c.vit_n_heads)) }, { domain: MS_DOMAIN });
  return linear(
    g,
    context,
    `${prefix}.out_proj`,
    { weight: m.read(`${prefix}.out_proj.weight`), bias: m.read(`${prefix}.out_proj.bias`), out: D, in: D },
    format,
  );
}

/** fc1 → GELU (tanh approximation) → fc2 */
function mlp(g: GraphBuilder, x: string, m: ModelWeights, prefix: string, format: WeightFormat): string {
  const c = m.config;
  const fc1 = linear(
    g,
    x,
    `${prefix}.fc1`,
    { weight: m.read(`${prefix}.fc1.weight`), bias: m.read(`${prefix}.fc1.bias`), out: c.vit_inter_dim, in: c.vit_hidden_dim },
    format,
  );
  const act = g.op('Gelu', [fc1], { approximate: 'tanh' });
  return linear(
    g,
    act,
    `${prefix}.fc2`,
    { weight: m.read(`${prefix}.fc2.weight`), bias: m.read(`${prefix}.fc2.bias`), out: c.vit_hidden_dim, in: c.vit_inter_dim },
    format,
  );
}

/** Pixel shuffle (s×s neighbouring patches → one token of s²·D) then the projection, no bias. */
function modalityProjector(g: GraphBuilder, x: string, m: ModelWeights, format: WeightFormat): string {
  const c: NanoVLMConfig = m.config;
  const s = c.mp_pixel_shuffle_factor;
  const side = vitPatchesPerSide(c);
  const D = c.vit_hidden_dim;
  const grid = g.op('Reshape', [x, g.ints([0, side / s, s, side / s, s, D])]);
  const shuffled = g.op('Transpose', [grid], { perm: [0, 1, 3, 2, 4, 5] });
  const tokens = g.op('Reshape', [shuffled, g.ints([0, (side / s) ** 2, s * s * D])]);
  return linear(g, tokens, 'MP.proj', { weight: m.read('MP.proj.weight'), out: c.lm_hidden_dim, in: s * s * D }, format);
}

export const VISION_OPSETS = { '': 21, 'com.microsoft': 1 };
