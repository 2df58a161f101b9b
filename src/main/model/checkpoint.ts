// A nanoVLM checkpoint folder: config.json + model.safetensors. Opening one checks every expected
// tensor against the config (name, shape), so a wrong or damaged checkpoint fails here with the
// tensor's name and the expected and actual shapes, never later inside a graph.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lmHeadDim, parseConfig, vitPatchesPerSide, type ModelSpec, type NanoVLMConfig } from './config';
import { SafetensorsFile, type Dtype } from './safetensors';

export const HEAD = 'decoder.head.weight';
export const TOKEN_EMBEDDING = 'decoder.token_embedding.weight';
const FLOAT_DTYPES: Dtype[] = ['F32', 'F16', 'BF16', 'F64'];

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

export class CheckpointError extends Error {
  constructor(readonly path: string, readonly tensor: string | undefined, message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface Checkpoint extends ModelSpec {
  dir: string;
  weights: SafetensorsFile;
  /** Float32 data of a parameter by nanoVLM name (the tied head under either stored name). */
  read(name: string): Float32Array;
  close(): void;
}

export function openCheckpoint(dir: string): Checkpoint {
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  if (!existsSync(configPath)) throw new CheckpointError(configPath, undefined, `${configPath}: not found (a nanoVLM checkpoint folder has config.json and model.safetensors)`);
  if (!existsSync(weightsPath)) throw new CheckpointError(weightsPath, undefined, `${weightsPath}: not found (a nanoVLM checkpoint folder has config.json and model.safetensors)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(configPath, undefined, `${configPath}: not valid JSON (${(err as Error).message})`);
  }
  const spec = parseConfig(raw, configPath);
  const weights = SafetensorsFile.open(weightsPath);
  try {
    validateWeights(weights, spec.config);
  } catch (err) {
    weights.close();
    throw err;
  }
  const read = (name: string): Float32Array => weights.readFloat32(storedName(weights, name));
  return { ...spec, dir, weights, read, close: () => weights.close() };
}

/** Where a parameter is stored: the tied head/embedding may be saved under either name. */
function storedName(weights: SafetensorsFile, name: string): string {
  if (weights.has(name)) return name;
  if (name === HEAD && weights.has(TOKEN_EMBEDDING)) return TOKEN_EMBEDDING;
  if (name === TOKEN_EMBEDDING && weights.has(HEAD)) return HEAD;
  return name;
}

export function validateWeights(weights: SafetensorsFile, config: NanoVLMConfig): void {
  for (const [name, expected] of parameterShapes(config)) {
    const stored = storedName(weights, name);
    if (!weights.has(stored)) {
      const hint = name === HEAD ? ` (nor ${TOKEN_EMBEDDING})` : '';
      throw new CheckpointError(weights.path, name, `${weights.path}: tensor "${name}"${hint} is missing (expected shape [${expected.join(', ')}])`);
    }
    const info = weights.info(stored);
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new CheckpointError(weights.path, stored, `${weights.path}: tensor "${stored}" has dtype ${info.dtype}, expected one of ${FLOAT_DTYPES.join(', ')}`);
    }
    if (info.shape.join(',') !== expected.join(',')) {
      throw new CheckpointError(weights.path, stored, `${weights.path}: tensor "${stored}" has shape [${info.shape.join(', ')}], expected [${expected.join(', ')}] from config.json`);
    }
  }
}
