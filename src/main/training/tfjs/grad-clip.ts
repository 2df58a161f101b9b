// torch.nn.utils.clip_grad_norm_: the global L2 norm over every trained gradient; if it exceeds
// maxNorm, all gradients are scaled by maxNorm / (norm + 1e-6).
import * as tf from '@tensorflow/tfjs';

export function globalNorm(grads: Iterable<tf.Tensor>): number {
  return tf.tidy(() => {
    const squares = [...grads].map((g) => g.square().sum());
    return squares.length === 0 ? 0 : Math.sqrt(tf.addN(squares).dataSync()[0]!);
  });
}

/** The factor the gradients are multiplied by (1 when under the limit or unclipped). */
export function clipCoefficient(norm: number, maxNorm: number | null): number {
  if (maxNorm === null) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}
