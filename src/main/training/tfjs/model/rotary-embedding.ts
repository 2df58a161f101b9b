// RoPE tables as nanoVLM's RotaryEmbedding computes them: inv_freq[j] = 1 / base^(2j/hd),
// angle = position · inv_freq, cos/sin of concat(angle, angle) times lm_attn_scaling. Positions
// count from 0 over the whole sequence (image tokens and left padding included). Past
// lm_max_position_embeddings the frequencies are scaled down, as nanoVLM does.
import * as tf from '@tensorflow/tfjs';
import { lmHeadDim, type NanoVLMConfig } from '../../../model/config';

export interface RotaryTables {
  /** [1, 1, T, hd], broadcast over batch and heads */
  cos: tf.Tensor;
  sin: tf.Tensor;
}

export function rotaryTables(length: number, c: NanoVLMConfig): RotaryTables {
  const hd = lmHeadDim(c);
  const half = hd / 2;
  const scale = length > c.lm_max_position_embeddings ? length / c.lm_max_position_embeddings : 1;
  const invFreq = Float32Array.from({ length: half }, (_, j) => 1 / c.lm_re_base ** ((2 * j) / hd) / scale);
  const cos = new Float32Array(length * hd);
  const sin = new Float32Array(length * hd);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(t * invFreq[j]!);
      const cj = Math.cos(angle) * c.lm_attn_scaling;
      const sj = Math.sin(angle) * c.lm_attn_scaling;
      cos[t * hd + j] = cj;
      cos[t * hd + half + j] = cj;
      sin[t * hd + j] = sj;
      sin[t * hd + half + j] = sj;
    }
  }
  return { cos: tf.tensor4d(cos, [1, 1, length, hd]), sin: tf.tensor4d(sin, [1, 1, length, hd]) };
}

/** rotate_half: concat(-x[hd/2:], x[:hd/2]) on the last axis. */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
  return tf.concat([x2.neg(), x1], -1);
}

/** q' = q·cos + rotate_half(q)·sin, on [B, heads, T, hd]. */
export function applyRotary(x: tf.Tensor, tables: RotaryTables): tf.Tensor {
  return x.mul(tables.cos).add(rotateHalf(x).mul(tables.sin));
}
