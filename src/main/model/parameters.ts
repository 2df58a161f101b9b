// nanoVLM's parameters by name, with their shapes from the config, and nanoVLM's three optimiser
// groups (projector, vision encoder, language decoder), each found by its name's prefix. With tied
// embeddings (every published checkpoint) the head and the token embedding are one tensor, stored
// once as decoder.head.weight.
import { PARAMETER_GROUPS, type ParameterGroupName } from '../../shared/training';
import type { ModelShape } from '../../shared/memory-estimate';
import { lmHeadDim, vitPatchesPerSide, type ModelSpec, type NanoVLMConfig } from './config';
import { largestGrid, tilesPerImage } from './family';

export const HEAD = 'decoder.head.weight';
export const TOKEN_EMBEDDING = 'decoder.token_embedding.weight';
/** nanoVLM's one persistent buffer: RotaryEmbedding's inverse frequencies (float32, [hd/2]). */
export const ROTARY_INV_FREQ = 'decoder.rotary_embd.inv_freq';

/** The prefix of each optimiser group's parameter names. */
export const GROUP_PREFIXES: Record<ParameterGroupName, string> = { mp: 'MP.', vision: 'vision_encoder.', language: 'decoder.' };

export function parameterGroup(name: string): ParameterGroupName {
  const group = PARAMETER_GROUPS.find((g) => name.startsWith(GROUP_PREFIXES[g]));
  if (!group) throw new Error(`parameter "${name}" belongs to none of the groups ${Object.values(GROUP_PREFIXES).join(', ')}`);
  return group;
}

/** Every trainable parameter of a nanoVLM model with its shape, in nanoVLM's names. */
export function parameterShapes(c: NanoVLMConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const D = c.vit_hidden_dim;
  const p = c.vit_patch_size;
  const N = vitPatchesPerSide(c) ** 2;
  shapes.set('vision_encoder.patch_embedding.conv.weight', [D, 3, p, p]);
  shapes.set('vision_encoder.patch_embedding.conv.bias', [D]);
  shapes.set('vision_encoder.patch_embedding.position_embedding', [1, N, D]);
  for (let i = 0; i < c.vit_n_blocks; i++) {
    const b = `vision_encoder.blocks.${i}`;
    shapes.set(`${b}.ln1.weight`, [D]);
    shapes.set(`${b}.ln1.bias`, [D]);
    shapes.set(`${b}.attn.qkv_proj.weight`, [3 * D, D]);
    shapes.set(`${b}.attn.qkv_proj.bias`, [3 * D]);
    shapes.set(`${b}.attn.out_proj.weight`, [D, D]);
    shapes.set(`${b}.attn.out_proj.bias`, [D]);
    shapes.set(`${b}.ln2.weight`, [D]);
    shapes.set(`${b}.ln2.bias`, [D]);
    shapes.set(`${b}.mlp.fc1.weight`, [c.vit_inter_dim, D]);
    shapes.set(`${b}.mlp.fc1.bias`, [c.vit_inter_dim]);
    shapes.set(`${b}.mlp.fc2.weight`, [D, c.vit_inter_dim]);
    shapes.set(`${b}.mlp.fc2.bias`, [D]);
  }
  shapes.set('vision_encoder.layer_norm.weight', [D]);
  shapes.set('vision_encoder.layer_norm.bias', [D]);

  const s = c.mp_pixel_shuffle_factor;
  shapes.set('MP.proj.weight', [c.lm_hidden_dim, D * s * s]);

  const H = c.lm_hidden_dim;
  const kvDim = c.lm_n_kv_heads * lmHeadDim(c);
  shapes.set(HEAD, [c.lm_vocab_size, H]);
  for (let i = 0; i < c.lm_n_blocks; i++) {
    const b = `decoder.blocks.${i}`;
    shapes.set(`${b}.norm1.weight`, [H]);
    shapes.set(`${b}.attn.q_proj.weight`, [H, H]);
    shapes.set(`${b}.attn.k_proj.weight`, [kvDim, H]);
    shapes.set(`${b}.attn.v_proj.weight`, [kvDim, H]);
    shapes.set(`${b}.attn.out_proj.weight`, [H, H]);
    shapes.set(`${b}.norm2.weight`, [H]);
    shapes.set(`${b}.mlp.gate_proj.weight`, [c.lm_inter_dim, H]);
    shapes.set(`${b}.mlp.up_proj.weight`, [c.lm_inter_dim, H]);
    shapes.set(`${b}.mlp.down_proj.weight`, [H, c.lm_inter_dim]);
  }
  shapes.set('decoder.norm.weight', [H]);
  return shapes;
}

/** Every stored parameter name with its shape (the tied pair appears once, as the head). */
export function storedParameterShapes(config: NanoVLMConfig): Map<string, number[]> {
  const shapes = parameterShapes(config);
  if (config.lm_tie_weights === false) shapes.set(TOKEN_EMBEDDING, [config.lm_vocab_size, config.lm_hidden_dim]);
  return shapes;
}

/** Persistent buffers in nanoVLM's state_dict, with their shapes (not parameters: never trained). */
export function bufferShapes(config: NanoVLMConfig): Map<string, number[]> {
  return new Map([[ROTARY_INV_FREQ, [lmHeadDim(config) / 2]]]);
}

/** Exactly what nanoVLM's state_dict holds, as its checkpoints store it: parameters and buffers. */
export function stateDictShapes(config: NanoVLMConfig): Map<string, number[]> {
  return new Map([...storedParameterShapes(config), ...bufferShapes(config)]);
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Parameters per optimiser group (each stored tensor counted once). */
export function parameterGroupCounts(config: NanoVLMConfig): Record<ParameterGroupName, number> {
  const counts: Record<ParameterGroupName, number> = { mp: 0, vision: 0, language: 0 };
  for (const [name, shape] of storedParameterShapes(config)) counts[parameterGroup(name)] += size(shape);
  return counts;
}

/** Every stored parameter, counted once. */
export function parameterCount(config: NanoVLMConfig): number {
  let n = 0;
  for (const shape of storedParameterShapes(config).values()) n += size(shape);
  return n;
}

/** What a memory estimate needs to know of a model. */
export function modelShape(spec: ModelSpec): ModelShape {
  const c = spec.config;
  let largestParameter = 0;
  for (const shape of storedParameterShapes(c).values()) largestParameter = Math.max(largestParameter, size(shape));
  return {
    groups: parameterGroupCounts(c),
    largestParameter,
    decoder: { blocks: c.lm_n_blocks, width: c.lm_hidden_dim, inter: c.lm_inter_dim },
    encoder: { blocks: c.vit_n_blocks, width: c.vit_hidden_dim, inter: c.vit_inter_dim, patches: vitPatchesPerSide(c) ** 2 },
    maxTilesPerImage: tilesPerImage(spec.family, largestGrid(spec)),
  };
}
