// The decoder's additive attention bias: causal, with padded keys (attention_mask 0) masked too.
// Masked scores get a large finite negative, never −inf: a row with every key masked (a left pad
// attending only to pads) must stay finite, or its NaN gradient would poison the whole step.

/** The score a masked key gets. */
export const MASKED_SCORE = -1e9;

/**
 * [B, 1, T, T] row-major: 0 where query t may attend key s (s ≤ t, key not padding), MASKED_SCORE
 * elsewhere. attentionMask: per sequence, 1 = attend, 0 = padding (undefined: no padding).
 */
export function causalPaddingBias(batch: number, length: number, attentionMask?: ArrayLike<number>): Float32Array {
  const bias = new Float32Array(batch * length * length);
  for (let b = 0; b < batch; b++) {
    for (let query = 0; query < length; query++) {
      for (let key = 0; key < length; key++) {
        const visible = key <= query && (attentionMask === undefined || attentionMask[b * length + key] !== 0);
        bias[(b * length + query) * length + key] = visible ? 0 : MASKED_SCORE;
      }
    }
  }
  return bias;
}
