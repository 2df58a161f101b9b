// Rotary position tables, computed in float32 the way nanoVLM's RotaryEmbedding does:
// inv_freq[j] = 1 / base^(2j/hd), angle = position · inv_freq, cos/sin scaled by lm_attn_scaling.
import { lmHeadDim, type NanoVLMConfig } from '../model/config';

export interface RopeTables {
  /** [positions, hd/2]: the first half of concat(angle, angle), as GroupQueryAttention wants */
  cosHalf: Float32Array;
  sinHalf: Float32Array;
  positions: number;
  half: number;
}

export function ropeTables(c: NanoVLMConfig, positions = c.lm_max_position_embeddings): RopeTables {
  const hd = lmHeadDim(c);
  const half = hd / 2;
  const invFreq = Float32Array.from({ length: half }, (_, j) => 1 / Math.fround(c.lm_re_base ** Math.fround((2 * j) / hd)));
  const cosHalf = new Float32Array(positions * half);
  const sinHalf = new Float32Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(p * invFreq[j]!);
      cosHalf[p * half + j] = Math.cos(angle) * c.lm_attn_scaling;
      sinHalf[p * half + j] = Math.sin(angle) * c.lm_attn_scaling;
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
