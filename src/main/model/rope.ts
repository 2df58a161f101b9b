// Rotary position tables, computed in float32 the way nanoVLM's RotaryEmbedding does (one home for
// the graph builder and the TF.js model): inv_freq[j] = 1 / base^(2j/hd); angle = position ·
// inv_freq; cos/sin of concat(angle, angle) times lm_attn_scaling. Positions count from 0 over the
// whole sequence, image tokens and left padding included. A sequence longer than
// lm_max_position_embeddings divides the frequencies by length / max, as nanoVLM does.
import { lmHeadDim, type NanoVLMConfig } from './config';

export interface RopeTables {
  /** [positions, hd/2]: the first half of concat(angle, angle) (GroupQueryAttention's cos_cache) */
  cosHalf: Float32Array;
  sinHalf: Float32Array;
  positions: number;
  half: number;
}

const f32 = Math.fround;

/**
 * nanoVLM's RotaryEmbedding buffer `inv_freq` (persistent: it is in every checkpoint as
 * decoder.rotary_embd.inv_freq), float32 as torch computes it: 1 / base ** (arange(0, hd, 2) / hd).
 */
export function rotaryInvFreq(c: NanoVLMConfig): Float32Array {
  const hd = lmHeadDim(c);
  return Float32Array.from({ length: hd / 2 }, (_, j) => f32(1 / f32(c.lm_re_base ** f32((2 * j) / hd))));
}

/**
 * Tables for the first `positions` positions (default: the longest the model was made for) of a
 * sequence `length` long (its length decides the scaling; more rows may be asked for padding).
 */
export function ropeTables(c: NanoVLMConfig, positions = c.lm_max_position_embeddings, length = positions): RopeTables {
  const hd = lmHeadDim(c);
  const half = hd / 2;
  const scale = length > c.lm_max_position_embeddings ? f32(length / c.lm_max_position_embeddings) : 1;
  const invFreq = rotaryInvFreq(c).map((f) => f32(f / scale));
  const cosHalf = new Float32Array(positions * half);
  const sinHalf = new Float32Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < half; j++) {
      const angle = f32(p * invFreq[j]!);
      cosHalf[p * half + j] = f32(Math.cos(angle)) * c.lm_attn_scaling;
      sinHalf[p * half + j] = f32(Math.sin(angle)) * c.lm_attn_scaling;
    }
  }
  return { cosHalf, sinHalf, positions, half };
}

/** [positions, hd]: each row is the half row twice (concat(angle, angle)), for plain-op RoPE. */
export function fullWidth(table: Float32Array, positions: number, half: number): Float32Array {
  const out = new Float32Array(positions * half * 2);
  for (let p = 0; p < positions; p++) {
    const row = table.subarray(p * half, (p + 1) * half);
    out.set(row, p * half * 2);
    out.set(row, p * half * 2 + half);
  }
  return out;
}
