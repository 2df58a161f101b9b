// The decoder's additive attention mask: causal, and padded keys (attention_mask 0) masked too.
// Masked scores get a large finite negative, never −inf: a row with every key masked (a left pad
// attending only to pads) must stay finite, or its NaN gradient would poison the whole step.
import * as tf from '@tensorflow/tfjs';

export const MASKED_SCORE = -1e9;

/** attentionMask: per sequence, 1 = attend, 0 = padding (or undefined: no padding). → [B, 1, T, T] */
export function causalPaddingMask(batch: number, length: number, attentionMask?: ArrayLike<number>): tf.Tensor {
  const mask = new Float32Array(batch * length * length);
  for (let b = 0; b < batch; b++) {
    for (let query = 0; query < length; query++) {
      for (let key = 0; key < length; key++) {
        const visible = key <= query && (attentionMask === undefined || attentionMask[b * length + key] !== 0);
        mask[(b * length + query) * length + key] = visible ? 0 : MASKED_SCORE;
      }
    }
  }
  return tf.tensor4d(mask, [batch, 1, length, length]);
}
